//! The `hocso` command: serve the API, migrate the database, print the configuration, manage users.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use hocso::config::Settings;
use hocso::startup::Application;

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

#[derive(Subcommand)]
enum ErasureCommand {
    /// Carry out now every erasure whose day has come, each in a transaction of its own, and
    /// print how many (the server also does it every hour).
    Run,
}

#[derive(Subcommand)]
enum ReportsCommand {
    /// Compare the indicator counts that reports read with what the profiles give now; print
    /// every difference and exit 1 if there is one.
    Check,
    /// Rebuild the indicator facts and counts now, in batches (the server does it by itself when
    /// the indicator configuration changed).
    Rebuild,
}

#[derive(Subcommand)]
enum RetentionCommand {
    /// Run one pass now and print what it removed, by kind (the server also runs one every
    /// `retention_interval_seconds`).
    Run,
}

#[derive(Subcommand)]
enum DevCommand {
    /// Generate benchmark data: a province of communes of 20,000 residents in ten villages, with
    /// households, profiles, enrolments and certificates. Seeded accounts log in as `seed<N>`
    /// with the password `bench-mat-khau-2026`.
    Seed {
        #[arg(long, default_value_t = 20_000)]
        learners: usize,
    },
    /// Measure the raw argon2id verification rate with the configured parameters, on every core.
    Argon2Rate {
        #[arg(long, default_value_t = 5)]
        seconds: u64,
    },
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Import a CSV file (UTF-8, comma or semicolon); prints a report of every problem by row.
    Import {
        file: PathBuf,
        /// Apply nothing when any row has a problem.
        #[arg(long)]
        all_or_nothing: bool,
    },
}

#[derive(Subcommand)]
enum CoursesCommand {
    /// Check a courses/ tree (or one course folder); every problem with file and line. Exit 1 if any.
    Validate { dir: PathBuf },
    /// Create or update drafts from files and publish a release where the content changed.
    Import {
        dir: PathBuf,
        /// Owner of newly created courses (e-mail, phone, username or id).
        #[arg(long)]
        owner: Option<String>,
    },
    /// Write a course's draft back as files under DIR/SLUG.
    Export { slug: String, dir: PathBuf },
    /// Courses, lessons, minutes, questions and competence coverage of a tree.
    Stats { dir: PathBuf },
}

#[derive(Subcommand)]
enum UsersCommand {
    /// Create a platform admin. The password is read from standard input, or prompted for
    /// without echo on a terminal.
    CreateAdmin {
        #[arg(long)]
        name: String,
        #[arg(long)]
        email: Option<String>,
        #[arg(long)]
        phone: Option<String>,
        #[arg(long)]
        username: Option<String>,
    },
    /// Grant a role (instructor, facilitator, admin) to a user given by e-mail, phone, username or id.
    Grant {
        user: String,
        role: String,
        /// Limit the grant to the locality with this code.
        #[arg(long)]
        locality: Option<String>,
    },
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
        Command::Serve => serve(settings),
        Command::Migrate { status } => migrate(settings, status),
        Command::Config => {
            for (key, value) in settings.masked_entries() {
                println!("{key} = {value}");
            }
            Ok(())
        }
        Command::Users(cmd) => users(settings, cmd),
        Command::Courses(cmd) => courses(settings, cmd),
        Command::Localities(ImportCommand::Import { file, .. }) => import(settings, &file, None),
        Command::Census(ImportCommand::Import { file, .. }) => import_census(settings, &file),
        Command::Retention(RetentionCommand::Run) => retention(settings),
        Command::Erasure(ErasureCommand::Run) => erasure_run(settings),
        Command::Backup { dir } => backup(settings, &dir),
        Command::Restore { file, database } => restore(settings, &file, database),
        Command::Reports(cmd) => reports(settings, cmd),
        Command::Dev(DevCommand::Seed { learners }) => seed(settings, learners),
        Command::Dev(DevCommand::Argon2Rate { seconds }) => argon2_rate(settings, seconds),
        Command::Residents(ImportCommand::Import {
            file,
            all_or_nothing,
        }) => import(settings, &file, Some(all_or_nothing)),
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

fn serve(settings: Settings) -> anyhow::Result<()> {
    hocso::telemetry::init(&settings.log_format, &settings.log_level, std::io::stdout);
    actix_web::rt::System::new().block_on(async move {
        let app = Application::build(settings.clone()).await?;
        let db = hocso::config::mask_url_password(&settings.effective_database_url());
        let host = settings
            .bind
            .rsplit_once(':')
            .map(|(h, _)| h)
            .unwrap_or("127.0.0.1");
        println!(
            "hocso listening on http://{host}:{} (database {db})",
            app.port()
        );
        tracing::info!(port = app.port(), "server started");
        app.run_until_stopped().await?;
        tracing::info!("server stopped");
        Ok(())
    })
}

fn migrate(settings: Settings, status: bool) -> anyhow::Result<()> {
    use diesel::r2d2::ManageConnection;
    use hocso::db::{migrate, ConnManager, DbTarget};
    let url = settings.effective_database_url();
    let target = DbTarget::parse(&url)?;
    if let DbTarget::Sqlite(path) = &target {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
    }
    let mut conn = ConnManager::new(target.clone()).connect().map_err(|e| {
        anyhow::anyhow!(
            "cannot connect to the {} database: {e}",
            target.backend_name()
        )
    })?;
    if status {
        let s = migrate::status(&mut conn)?;
        for v in &s.applied {
            println!("applied  {v}");
        }
        for v in &s.pending {
            println!("pending  {v}");
        }
    } else {
        let done = migrate::run_pending(&mut conn)?;
        if done.is_empty() {
            println!("database is up to date");
        }
        for v in done {
            println!("applied  {v}");
        }
    }
    Ok(())
}

fn users(settings: Settings, cmd: UsersCommand) -> anyhow::Result<()> {
    use hocso::accounts;
    use hocso::auth::Role;
    let pool = hocso::db::connect_and_migrate(
        &settings.effective_database_url(),
        1,
        std::time::Duration::from_millis(settings.db_timeout_ms),
    )?;
    let mut conn = pool.get()?;
    let api_err = |e: hocso::error::ApiError| anyhow::anyhow!("{}", e.detail);
    match cmd {
        UsersCommand::CreateAdmin {
            name,
            email,
            phone,
            username,
        } => {
            let password = read_password()?;
            let hasher = hocso::auth::password::PasswordHasherConfig::new(
                settings.argon2_memory_kib,
                settings.argon2_iterations,
                settings.argon2_parallelism,
            )?;
            let id = accounts::create_account(
                &mut conn,
                &hasher,
                accounts::NewAccount {
                    display_name: &name,
                    email: email.as_deref(),
                    phone: phone.as_deref(),
                    username: username.as_deref(),
                    password: &password,
                    language: "vi",
                },
            )
            .map_err(api_err)?;
            hocso::api::admin::grant(&mut conn, &id, Role::Admin, None, None).map_err(api_err)?;
            println!("admin created: {id}");
        }
        UsersCommand::Grant {
            user,
            role,
            locality,
        } => {
            let role = Role::parse(&role).ok_or_else(|| {
                anyhow::anyhow!("unknown role `{role}`: use instructor, facilitator or admin")
            })?;
            let found = match accounts::find_by_login(&mut conn, &accounts::parse_login(&user))? {
                Some(u) => u,
                None => accounts::find_user(&mut conn, &user)
                    .map_err(|_| anyhow::anyhow!("no user `{user}`"))?,
            };
            hocso::api::admin::grant(&mut conn, &found.id, role, locality.as_deref(), None)
                .map_err(api_err)?;
            println!("granted {} to {}", role.as_str(), found.id);
        }
    }
    Ok(())
}

fn read_password() -> anyhow::Result<String> {
    use std::io::{BufRead, IsTerminal};
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password: ")?;
        let second = rpassword::prompt_password("Repeat password: ")?;
        anyhow::ensure!(first == second, "the passwords differ");
        Ok(first)
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        Ok(line.trim_end_matches(['\r', '\n']).to_string())
    }
}

/// A `courses/` tree, or a single course folder (a folder with `course.toml`).
fn load_tree(dir: &std::path::Path) -> hocso::content::files::Tree {
    use hocso::content::files;
    if dir.join("course.toml").exists() {
        match files::load_course(dir) {
            Ok(course) => files::Tree {
                problems: course.problems(),
                courses: vec![course],
                programs: Vec::new(),
                indicators: Vec::new(),
            },
            Err(problems) => files::Tree {
                courses: Vec::new(),
                programs: Vec::new(),
                indicators: Vec::new(),
                problems,
            },
        }
    } else {
        files::load_tree(dir)
    }
}

fn courses(settings: Settings, cmd: CoursesCommand) -> anyhow::Result<()> {
    let api_err = |e: hocso::error::ApiError| anyhow::anyhow!("{}", e.detail);
    match cmd {
        CoursesCommand::Validate { dir } => {
            let tree = load_tree(&dir);
            for p in &tree.problems {
                println!("{p}");
            }
            if tree.problems.is_empty() {
                println!(
                    "{} courses and {} programs: no problem",
                    tree.courses.len(),
                    tree.programs.len()
                );
                Ok(())
            } else {
                anyhow::bail!("{} problem(s)", tree.problems.len())
            }
        }
        CoursesCommand::Stats { dir } => {
            let tree = load_tree(&dir);
            print!("{}", hocso::content::stats(&tree));
            Ok(())
        }
        CoursesCommand::Import { dir, owner } => {
            let tree = load_tree(&dir);
            for p in &tree.problems {
                eprintln!("{p}");
            }
            let pool = hocso::db::connect_and_migrate(
                &settings.effective_database_url(),
                1,
                std::time::Duration::from_millis(settings.db_timeout_ms),
            )?;
            let mut conn = pool.get()?;
            let owner_id = match owner {
                Some(login) => Some(
                    hocso::accounts::find_by_login(
                        &mut conn,
                        &hocso::accounts::parse_login(&login),
                    )?
                    .ok_or_else(|| anyhow::anyhow!("no user `{login}`"))?
                    .id,
                ),
                None => None,
            };
            let done = hocso::courses::import_tree(&mut conn, &tree, owner_id.as_deref(), None)
                .map_err(api_err)?;
            for o in &done {
                println!(
                    "{}: {}release {}{}",
                    o.slug,
                    if o.created { "created, " } else { "" },
                    o.release,
                    if o.new_release {
                        " (new)"
                    } else {
                        " (unchanged)"
                    }
                );
            }
            if !tree.problems.is_empty() {
                anyhow::bail!(
                    "{} problem(s); courses with problems were not imported",
                    tree.problems.len()
                );
            }
            Ok(())
        }
        CoursesCommand::Export { slug, dir } => {
            let mut conn = hocso::db::connect_once(&settings.effective_database_url())?;
            let row = hocso::courses::find(&mut conn, &slug).map_err(api_err)?;
            let doc = hocso::courses::parse_draft(&row).map_err(api_err)?;
            let path = hocso::content::files::export_course(&doc, &dir)?;
            println!("exported {slug} to {}", path.display());
            Ok(())
        }
    }
}

/// `localities import` (residents = None) or `residents import` (Some(all_or_nothing)).
fn import(
    settings: Settings,
    file: &std::path::Path,
    residents: Option<bool>,
) -> anyhow::Result<()> {
    let bytes =
        std::fs::read(file).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
    let pool = hocso::db::connect_and_migrate(
        &settings.effective_database_url(),
        1,
        std::time::Duration::from_millis(settings.db_timeout_ms),
    )?;
    let mut conn = pool.get()?;
    let api_err = |e: hocso::error::ApiError| anyhow::anyhow!("{}", e.detail);
    let report = match residents {
        None => hocso::imports::import_localities(&mut conn, &bytes).map_err(api_err)?,
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
            .map_err(api_err)?;
            bar.finish_and_clear();
            report
        }
    };
    print_report(&report)
}

fn import_census(settings: Settings, file: &std::path::Path) -> anyhow::Result<()> {
    let bytes =
        std::fs::read(file).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
    let pool = hocso::db::connect_and_migrate(
        &settings.effective_database_url(),
        1,
        std::time::Duration::from_millis(settings.db_timeout_ms),
    )?;
    let report = hocso::imports::import_census(&mut *pool.get()?, &bytes)
        .map_err(|e| anyhow::anyhow!("{}", e.detail))?;
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

fn reports(settings: Settings, cmd: ReportsCommand) -> anyhow::Result<()> {
    let pool = hocso::db::connect_and_migrate(
        &settings.effective_database_url(),
        1,
        std::time::Duration::from_millis(settings.db_timeout_ms),
    )?;
    let conn = &mut *pool.get()?;
    let failed = |e: hocso::error::ApiError| anyhow::anyhow!("{}", e.detail);
    if let ReportsCommand::Rebuild = cmd {
        hocso::reports::ensure_facts(conn, true).map_err(failed)?;
        println!("the indicator facts and counts are rebuilt");
        return Ok(());
    }
    let drift = hocso::reports::drift(conn).map_err(failed)?;
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

fn retention(settings: Settings) -> anyhow::Result<()> {
    use hocso::privacy::retention;
    let pool = hocso::db::connect_and_migrate(
        &settings.effective_database_url(),
        1,
        std::time::Duration::from_millis(settings.db_timeout_ms),
    )?;
    let policy = retention::Policy::of(&settings);
    let pass = retention::pass_on(&mut *pool.get()?, &policy, hocso::db::now())
        .map_err(|e| anyhow::anyhow!("{}", e.detail))?;
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

fn erasure_run(settings: Settings) -> anyhow::Result<()> {
    let pool = hocso::db::connect_and_migrate(
        &settings.effective_database_url(),
        1,
        std::time::Duration::from_millis(settings.db_timeout_ms),
    )?;
    let n = hocso::privacy::erasure::run_due_on(&mut *pool.get()?, hocso::db::now())
        .map_err(|e| anyhow::anyhow!("{}", e.detail))?;
    println!("{n} erased");
    Ok(())
}

fn backup(settings: Settings, dir: &std::path::Path) -> anyhow::Result<()> {
    let db = hocso::backup::sqlite_path(&settings.effective_database_url())?;
    let made = hocso::backup::backup(&db, dir, chrono::Utc::now())?;
    println!(
        "backup written: {} ({:.1} MB, {} pages in {} steps, longest step {} ms, {:.1} s; \
         integrity ok)",
        made.path.display(),
        made.bytes as f64 / 1e6,
        made.copied.pages,
        made.copied.steps,
        made.copied.longest_step.as_millis(),
        made.elapsed.as_secs_f64()
    );
    Ok(())
}

fn restore(
    settings: Settings,
    file: &std::path::Path,
    database: Option<PathBuf>,
) -> anyhow::Result<()> {
    let target = match database {
        Some(path) => path,
        None => hocso::backup::sqlite_path(&settings.effective_database_url())?,
    };
    let done = hocso::backup::restore(file, &target, chrono::Utc::now())?;
    println!(
        "restored {} into {} (integrity ok, last migration {}{})",
        file.display(),
        target.display(),
        done.last_migration,
        if done.pending_migrations > 0 {
            format!(
                "; {} newer migration(s) will be applied when the server starts",
                done.pending_migrations
            )
        } else {
            String::new()
        }
    );
    match done.set_aside {
        Some(aside) => println!("the database it replaced is kept as {}", aside.display()),
        None => println!("there was no database there before"),
    }
    Ok(())
}

fn seed(settings: Settings, learners: usize) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let pool = hocso::db::connect_and_migrate(
        &settings.effective_database_url(),
        1,
        std::time::Duration::from_millis(settings.db_timeout_ms),
    )?;
    let mut conn = pool.get()?;
    if hocso::db::courses::count(&mut conn)? == 0 && settings.courses_dir.is_dir() {
        let tree = hocso::content::files::load_tree(&settings.courses_dir);
        hocso::courses::import_tree(&mut conn, &tree, None, None)
            .map_err(|e| anyhow::anyhow!("{}", e.detail))?;
    }
    let hasher = hocso::auth::password::PasswordHasherConfig::new(
        settings.argon2_memory_kib,
        settings.argon2_iterations,
        settings.argon2_parallelism,
    )?;
    let hash = hasher.hash(hocso::seed::PASSWORD)?;
    let bar = indicatif::ProgressBar::new(learners as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{bar:40} {pos}/{len} learners {per_sec} eta {eta}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let seeded = hocso::seed::seed(&mut conn, learners, &hash, &mut |done| {
        bar.set_position(done as u64)
    })?;
    bar.finish_and_clear();
    println!(
        "seeded {} learners in {:.1}s: province {} with {} communes (first: {})",
        seeded.learners,
        started.elapsed().as_secs_f64(),
        seeded.province,
        seeded.communes.len(),
        seeded.communes.first().map(String::as_str).unwrap_or("-")
    );
    Ok(())
}

fn argon2_rate(settings: Settings, seconds: u64) -> anyhow::Result<()> {
    let hasher = hocso::auth::password::PasswordHasherConfig::new(
        settings.argon2_memory_kib,
        settings.argon2_iterations,
        settings.argon2_parallelism,
    )?;
    let hash = hasher.hash("bench-mat-khau-2026")?;
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let until = std::time::Instant::now() + std::time::Duration::from_secs(seconds);
    let counts: Vec<usize> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..cores)
            .map(|_| {
                let (h, hash) = (&hasher, &hash);
                s.spawn(move || {
                    let mut n = 0;
                    while std::time::Instant::now() < until {
                        let _ = h.verify("bench-mat-khau-2026", Some(hash));
                        n += 1;
                    }
                    n
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or(0)).collect()
    });
    let total: usize = counts.iter().sum();
    println!(
        "argon2id m={} KiB t={} p={}: {:.1} verifications/s on {cores} cores",
        settings.argon2_memory_kib,
        settings.argon2_iterations,
        settings.argon2_parallelism,
        total as f64 / seconds as f64
    );
    Ok(())
}
