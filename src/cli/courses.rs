//! `hocso courses`: validate, import, export and count course files.

use std::path::PathBuf;

use clap::Subcommand;
use hocso::config::Settings;

#[derive(Subcommand)]
pub enum CoursesCommand {
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

pub fn run(settings: Settings, cmd: CoursesCommand) -> anyhow::Result<()> {
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
            let pool = super::pool(&settings)?;
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
                .map_err(super::detail)?;
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
            let row = hocso::courses::find(&mut conn, &slug).map_err(super::detail)?;
            let doc = hocso::courses::parse_draft(&row).map_err(super::detail)?;
            let path = hocso::content::files::export_course(&doc, &dir)?;
            println!("exported {slug} to {}", path.display());
            Ok(())
        }
    }
}
