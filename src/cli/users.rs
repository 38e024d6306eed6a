//! `hocso users`: create an admin, grant a role.

use clap::Subcommand;
use hocso::config::Settings;

#[derive(Subcommand)]
pub enum UsersCommand {
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

pub fn run(settings: Settings, cmd: UsersCommand) -> anyhow::Result<()> {
    use hocso::accounts;
    use hocso::auth::Role;
    let pool = super::pool(&settings)?;
    let mut conn = pool.get()?;
    match cmd {
        UsersCommand::CreateAdmin {
            name,
            email,
            phone,
            username,
        } => {
            let password = read_password()?;
            let hasher = super::hasher(&settings)?;
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
            .map_err(super::detail)?;
            hocso::api::admin::grant(&mut conn, &id, Role::Admin, None, None)
                .map_err(super::detail)?;
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
                .map_err(super::detail)?;
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
