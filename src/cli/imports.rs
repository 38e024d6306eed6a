//! `hocso localities import`, `hocso residents import`, `hocso census import`: CSV files.

use std::path::PathBuf;

use clap::Subcommand;
use hocso::config::Settings;

#[derive(Subcommand)]
pub enum ImportCommand {
    /// Import a CSV file (UTF-8, comma or semicolon); prints a report of every problem by row.
    Import {
        file: PathBuf,
        /// Apply nothing when any row has a problem.
        #[arg(long)]
        all_or_nothing: bool,
    },
}

pub fn localities(settings: Settings, cmd: ImportCommand) -> anyhow::Result<()> {
    let ImportCommand::Import { file, .. } = cmd;
    import(settings, &file, None)
}

pub fn residents(settings: Settings, cmd: ImportCommand) -> anyhow::Result<()> {
    let ImportCommand::Import {
        file,
        all_or_nothing,
    } = cmd;
    import(settings, &file, Some(all_or_nothing))
}

pub fn census(settings: Settings, cmd: ImportCommand) -> anyhow::Result<()> {
    let ImportCommand::Import { file, .. } = cmd;
    import_census(settings, &file)
}

/// `localities import` (residents = None) or `residents import` (Some(all_or_nothing)).
fn import(
    settings: Settings,
    file: &std::path::Path,
    residents: Option<bool>,
) -> anyhow::Result<()> {
    let bytes =
        std::fs::read(file).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
    let pool = super::pool(&settings)?;
    let mut conn = pool.get()?;
    let report = match residents {
        None => hocso::imports::import_localities(&mut conn, &bytes).map_err(super::detail)?,
        Some(all_or_nothing) => {
            let bar = indicatif::ProgressBar::new(0);
            bar.set_style(
                indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} residents {elapsed}")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            let mut progress = |done: usize, total: usize| {
                bar.set_length(total as u64);
                bar.set_position(done as u64);
            };
            let mut anywhere = |_: &mut hocso::db::DbConn, _: &str| Ok(true);
            let report = hocso::imports::import_residents(
                &mut conn,
                &bytes,
                all_or_nothing,
                None,
                None,
                &mut anywhere,
                &mut progress,
            )
            .map_err(super::detail)?;
            bar.finish_and_clear();
            report
        }
    };
    print_report(&report)
}

fn import_census(settings: Settings, file: &std::path::Path) -> anyhow::Result<()> {
    let bytes =
        std::fs::read(file).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
    let pool = super::pool(&settings)?;
    let report = hocso::imports::import_census(&mut *pool.get()?, &bytes).map_err(super::detail)?;
    print_report(&report)
}

fn print_report(report: &hocso::imports::ImportReport) -> anyhow::Result<()> {
    for p in &report.problems {
        println!("line {}: {}: {}", p.row, p.column, p.problem);
    }
    println!(
        "{} rows: {} created, {} updated, {} unchanged, {} rejected{}",
        report.rows,
        report.created,
        report.updated,
        report.unchanged,
        report.rejected,
        if report.applied {
            ""
        } else {
            " (nothing applied)"
        }
    );
    if report.problems.is_empty() {
        Ok(())
    } else {
        anyhow::bail!("{} row(s) with problems", report.rejected)
    }
}
