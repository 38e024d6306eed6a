//! `hocso reports`: check and rebuild the indicator counts.

use clap::Subcommand;
use hocso::config::Settings;

#[derive(Subcommand)]
pub enum ReportsCommand {
    /// Compare the indicator counts that reports read with what the profiles give now; print
    /// every difference and exit 1 if there is one.
    Check,
    /// Rebuild the indicator facts and counts now, in batches (the server does it by itself when
    /// the indicator configuration changed).
    Rebuild,
}

pub fn run(settings: Settings, cmd: ReportsCommand) -> anyhow::Result<()> {
    let pool = super::pool(&settings)?;
    let conn = &mut *pool.get()?;
    if let ReportsCommand::Rebuild = cmd {
        hocso::reports::ensure_facts(conn, true).map_err(super::detail)?;
        println!("the indicator facts and counts are rebuilt");
        return Ok(());
    }
    let drift = hocso::reports::drift(conn).map_err(super::detail)?;
    for line in &drift {
        println!("{line}");
    }
    if !drift.is_empty() {
        anyhow::bail!(
            "{} count(s) differ (`hocso reports rebuild` counts again)",
            drift.len()
        );
    }
    println!("the indicator counts are in step with the profiles");
    Ok(())
}
