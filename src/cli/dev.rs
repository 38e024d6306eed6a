//! `hocso dev`: benchmark data and the argon2 rate.

use clap::Subcommand;
use hocso::config::Settings;

#[derive(Subcommand)]
pub enum DevCommand {
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

pub fn run(settings: Settings, cmd: DevCommand) -> anyhow::Result<()> {
    match cmd {
        DevCommand::Seed { learners } => seed(settings, learners),
        DevCommand::Argon2Rate { seconds } => argon2_rate(settings, seconds),
    }
}

fn seed(settings: Settings, learners: usize) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let pool = super::pool(&settings)?;
    let mut conn = pool.get()?;
    if hocso::db::courses::count(&mut conn)? == 0 && settings.courses_dir.is_dir() {
        let tree = hocso::content::files::load_tree(&settings.courses_dir);
        hocso::courses::import_tree(&mut conn, &tree, None, None).map_err(super::detail)?;
    }
    let hasher = super::hasher(&settings)?;
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
    let hasher = super::hasher(&settings)?;
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
