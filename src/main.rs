//! The `hocso` command: serve the API, migrate the database, print the configuration, manage users.
//! This file parses the arguments and hands each command to its family in `cli/`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use cli::courses::CoursesCommand;
use cli::dev::DevCommand;
use cli::imports::ImportCommand;
use cli::privacy::{ErasureCommand, RetentionCommand};
use cli::reports::ReportsCommand;
use cli::users::UsersCommand;
use hocso::config::Settings;

mod cli;

#[derive(Parser)]
#[command(
    name = "hocso",
    version,
    about = "Học số: self-paced digital-skills learning for Bình dân học vụ số"
)]
struct Cli {
    /// Path of a TOML settings file (HOCSO_* variables override it).
    #[arg(long, global = true, value_name = "PATH")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP server (the default).
    Serve,
    /// Apply pending database migrations.
    Migrate {
        /// List applied and pending migrations instead of applying them.
        #[arg(long)]
        status: bool,
    },
    /// Print the effective settings, secrets masked.
    Config,
    /// Manage accounts.
    #[command(subcommand)]
    Users(UsersCommand),
    /// Course files: validate, import, export, statistics.
    #[command(subcommand)]
    Courses(CoursesCommand),
    /// The locality tree.
    #[command(subcommand)]
    Localities(ImportCommand),
    /// Residents (learners registered by their commune).
    #[command(subcommand)]
    Residents(ImportCommand),
    /// Census figures per locality and year (the denominators of the indicators).
    #[command(subcommand)]
    Census(ImportCommand),
    /// Deleting what is past its time (docs/PRIVACY.md, the retention_* settings).
    #[command(subcommand)]
    Retention(RetentionCommand),
    /// Erasures of people's data at their request (docs/PRIVACY.md).
    #[command(subcommand)]
    Erasure(ErasureCommand),
    /// Copy the live SQLite database into DIR as hocso-<UTC time>.db while the server keeps
    /// serving; the copy is checked (integrity, migrations) before it takes its name.
    Backup {
        /// An existing folder (a USB disk, a mounted share).
        dir: PathBuf,
    },
    /// Put a backup in place of the SQLite database, which no process may have open (stop the
    /// server first). The backup is checked first; the replaced database is kept beside it as
    /// `<name>.before-restore-<UTC time>`.
    Restore {
        file: PathBuf,
        /// The database file to replace; by default the configured one (`database_url`).
        #[arg(long, value_name = "PATH")]
        database: Option<PathBuf>,
    },
    /// The indicator reports (docs/REPORTS.md).
    #[command(subcommand)]
    Reports(ReportsCommand),
    /// Developer tools.
    #[command(subcommand)]
    Dev(DevCommand),
}

/// glibc gives every thread that allocates concurrently an arena of its own (up to eight per
/// core), and each keeps the memory it freed: with the blocking pool's threads that made most of
/// the peak RSS under load. Two arenas are enough for two cores. (mimalloc measured worse.)
fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets an allocator parameter; called before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

fn main() -> ExitCode {
    limit_malloc_arenas();
    let cli = Cli::parse();
    let settings = match Settings::load(cli.config.as_deref()) {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => cli::server::serve(settings),
        Command::Migrate { status } => cli::server::migrate(settings, status),
        Command::Config => cli::server::config(&settings),
        Command::Users(cmd) => cli::users::run(settings, cmd),
        Command::Courses(cmd) => cli::courses::run(settings, cmd),
        Command::Localities(cmd) => cli::imports::localities(settings, cmd),
        Command::Residents(cmd) => cli::imports::residents(settings, cmd),
        Command::Census(cmd) => cli::imports::census(settings, cmd),
        Command::Retention(cmd) => cli::privacy::retention(settings, cmd),
        Command::Erasure(cmd) => cli::privacy::erasure(settings, cmd),
        Command::Backup { dir } => cli::backup::backup(settings, &dir),
        Command::Restore { file, database } => cli::backup::restore(settings, &file, database),
        Command::Reports(cmd) => cli::reports::run(settings, cmd),
        Command::Dev(cmd) => cli::dev::run(settings, cmd),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(e),
    }
}

fn fail(e: anyhow::Error) -> ExitCode {
    eprintln!("error: {}", one_line(&e));
    ExitCode::FAILURE
}

/// The error and its causes on one line.
fn one_line(e: &anyhow::Error) -> String {
    let text = format!("{e:#}");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
