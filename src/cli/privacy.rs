//! `hocso retention run` and `hocso erasure run`: what the server also does on its own.

use clap::Subcommand;
use hocso::config::Settings;

#[derive(Subcommand)]
pub enum RetentionCommand {
    /// Run one pass now and print what it removed, by kind (the server also runs one every
    /// `retention_interval_seconds`).
    Run,
}

#[derive(Subcommand)]
pub enum ErasureCommand {
    /// Carry out now every erasure whose day has come, each in a transaction of its own, and
    /// print how many (the server also does it every hour).
    Run,
}

pub fn retention(settings: Settings, cmd: RetentionCommand) -> anyhow::Result<()> {
    use hocso::privacy::retention;
    let RetentionCommand::Run = cmd;
    let pool = super::pool(&settings)?;
    let policy = retention::Policy::of(&settings);
    let pass =
        retention::pass_on(&mut *pool.get()?, &policy, hocso::db::now()).map_err(super::detail)?;
    let Some(pass) = pass else {
        println!("another instance is running a retention pass; nothing done");
        return Ok(());
    };
    for (kind, n) in pass.purged.entries() {
        println!("{kind} {n}");
    }
    println!(
        "{} removed in {} batches, {:.1} s (longest batch {} ms)",
        pass.purged.total(),
        pass.batches,
        pass.elapsed.as_secs_f64(),
        pass.longest_batch.as_millis()
    );
    Ok(())
}

pub fn erasure(settings: Settings, cmd: ErasureCommand) -> anyhow::Result<()> {
    let ErasureCommand::Run = cmd;
    let pool = super::pool(&settings)?;
    let n = hocso::privacy::erasure::run_due_on(&mut *pool.get()?, hocso::db::now())
        .map_err(super::detail)?;
    println!("{n} erased");
    Ok(())
}
