//! `serve`, `migrate`, `init`, `token` and `openapi`.

use clap::Args;
use std::io::BufRead;
use std::process::ExitCode;
use switchboard_server::config::{CommonArgs, ServeArgs, Settings};
use switchboard_server::provision::{AccountSpec, create_account};
use switchboard_server::startup::{Application, load_packs, open_store, tokens};
use switchboard_store::Actor;
use switchboard_store::repo::{accounts, users};

fn init_logging() {
    // RUST_LOG overrides; secrets never reach the log (config and keys redact themselves).
    let _ = env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).try_init();
}

fn fail(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::FAILURE
}

pub fn serve(common: &CommonArgs, args: &ServeArgs) -> ExitCode {
    init_logging();
    let settings = match Settings::resolve(common, args) {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    log::info!("starting with {settings:?}");
    let result = actix_web::rt::System::new().block_on(async move {
        let app = Application::build(&settings).map_err(|e| e.to_string())?;
        app.run_until_stopped().await.map_err(|e| e.to_string())
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(e),
    }
}

pub fn migrate(common: &CommonArgs) -> ExitCode {
    init_logging();
    let settings = match Settings::resolve(common, &ServeArgs::default()) {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    match open_store(&settings).and_then(|store| {
        let mut conn = store.conn().map_err(|e| switchboard_server::startup::StartupError::Config(e.to_string()))?;
        switchboard_store::applied_migrations(&mut conn)
            .map_err(|e| switchboard_server::startup::StartupError::Config(e.to_string()))
    }) {
        Ok(applied) => {
            println!("the database is up to date ({} migrations applied)", applied.len());
            ExitCode::SUCCESS
        }
        Err(e) => fail(e),
    }
}

#[derive(Debug, Args)]
pub struct InitArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// The account's slug (used to sign in).
    #[arg(long)]
    pub slug: String,
    /// The account's display name (default: the slug).
    #[arg(long)]
    pub name: Option<String>,
    /// The preset pack: see `switchboard plugins`.
    #[arg(long)]
    pub preset: String,
    /// The superadmin's email.
    #[arg(long)]
    pub email: String,
    /// The superadmin's name.
    #[arg(long, default_value = "Owner")]
    pub owner_name: String,
}

/// Creates an account; the superadmin's password comes from `SWITCHBOARD_OWNER_PASSWORD` or the first
/// line of standard input, never from a flag (flags end up in shell history and process lists).
pub fn init(args: &InitArgs) -> ExitCode {
    init_logging();
    let settings = match Settings::resolve(&args.common, &ServeArgs::default()) {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    let password = match std::env::var("SWITCHBOARD_OWNER_PASSWORD") {
        Ok(p) if !p.is_empty() => p,
        _ => {
            let mut line = String::new();
            if std::io::stdin().lock().read_line(&mut line).is_err() {
                return fail("cannot read the password from standard input");
            }
            line.trim_end_matches(['\r', '\n']).to_owned()
        }
    };
    let result = (|| {
        let packs = load_packs(&settings).map_err(|e| e.to_string())?;
        let store = open_store(&settings).map_err(|e| e.to_string())?;
        let mut conn = store.conn().map_err(|e| e.to_string())?;
        let spec = AccountSpec {
            slug: args.slug.clone(),
            name: args.name.clone().unwrap_or_else(|| args.slug.clone()),
            preset: args.preset.clone(),
            owner_email: args.email.clone(),
            owner_name: args.owner_name.clone(),
            owner_password: password,
        };
        create_account(&mut conn, &packs, spec, &Actor::Operator).map_err(|e| e.to_string())
    })();
    match result {
        Ok((account, owner)) => {
            println!(
                "created account {} ({}) with superadmin {} <{}>",
                account.slug, account.id, owner.id, owner.email
            );
            ExitCode::SUCCESS
        }
        Err(e) => fail(e),
    }
}

#[derive(Debug, Args)]
pub struct TokenArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// The account's slug.
    #[arg(long)]
    pub account: String,
    /// The user's email.
    #[arg(long)]
    pub email: String,
}

/// Mints a token for an active user, signed with the server's key.
pub fn token(args: &TokenArgs) -> ExitCode {
    let settings = match Settings::resolve(&args.common, &ServeArgs::default()) {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    let result = (|| {
        let store = open_store(&settings).map_err(|e| e.to_string())?;
        let mut conn = store.conn().map_err(|e| e.to_string())?;
        let account = accounts::get_by_slug(&mut conn, &args.account).map_err(|e| e.to_string())?;
        let user = users::get_by_email(&mut conn, account.id, &args.email).map_err(|e| e.to_string())?;
        if user.status != switchboard_core::UserStatus::Active {
            return Err(format!("{} is not active", user.email));
        }
        let tokens = tokens(&settings).map_err(|e| e.to_string())?;
        // A session like a sign-in's: the user can see it in their list and end it.
        let until = switchboard_store::now() + chrono::Duration::seconds(tokens.ttl_seconds());
        let session = switchboard_store::repo::sessions::start(&mut conn, account.id, user.id, until)
            .map_err(|e| e.to_string())?;
        tokens.mint(user.id.0, account.id.0, session.id).map(|(t, _)| t).map_err(|e| e.to_string())
    })();
    match result {
        Ok(token) => {
            println!("{token}");
            ExitCode::SUCCESS
        }
        Err(e) => fail(e),
    }
}

#[derive(Debug, Args)]
pub struct OpenapiArgs {
    /// Which OpenAPI version to render the document in.
    #[arg(long, value_enum, default_value_t = OpenapiFormat::V3_1)]
    pub format: OpenapiFormat,
}

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum OpenapiFormat {
    #[value(name = "3.1")]
    V3_1,
    #[value(name = "3.0")]
    V3_0,
}

pub fn openapi(args: &OpenapiArgs) -> ExitCode {
    match args.format {
        OpenapiFormat::V3_1 => print!("{}", switchboard_server::openapi::spec_json()),
        OpenapiFormat::V3_0 => print!("{}", switchboard_server::openapi::spec_json_v3_0()),
    }
    ExitCode::SUCCESS
}
