//! The newcomer's story, with the generated client: sign in, read `/v1/me`, list roles, copy the
//! Agent role and narrow it, assign it, ask `/v1/authorize`, and page through communications.
//!
//! Against the demo server (`switchboard serve --demo`):
//!
//! ```sh
//! cargo run -p switchboard-client --example newcomer -- http://127.0.0.1:8080
//! ```

use std::error::Error;
use switchboard_client::{Client, types};

/// What the walk saw, for the caller (and the test that runs this example) to check.
#[derive(Debug)]
pub struct Walk {
    pub signed_in_as: String,
    pub roles_listed: usize,
    pub narrowed_role_key: String,
    pub narrowed_role_version: i64,
    /// The permission the copy gave up, and what `/v1/authorize` answered for it.
    pub dropped: (String, types::Answer),
    /// A permission the copy kept, and what `/v1/authorize` answered for it.
    pub kept: (String, types::Answer),
    pub communication_pages: usize,
    pub communications_seen: usize,
}

pub type AnyError = Box<dyn Error + Send + Sync>;

/// Walks the story as `superadmin@<account>.example` of a demo account.
pub async fn walk(base_url: &str, account: &str, password: &str) -> Result<Walk, AnyError> {
    // 1. Sign in: a token from the account, an email and a password.
    let anonymous = Client::new(base_url);
    let token = anonymous
        .create_token()
        .body(types::TokenRequest {
            account: account.to_owned(),
            email: format!("superadmin@{account}.example"),
            password: password.to_owned(),
            code: None,
        })
        .send()
        .await?
        .into_inner();
    let client = switchboard_client::authenticated(base_url, &token.access_token)?;

    // 2. Who am I, and what may I do?
    let me = client.get_me().send().await?.into_inner();
    println!("signed in as {} ({} role(s))", me.user.email, me.roles.len());

    // 3. The account's roles.
    let roles = client.list_roles().limit(std::num::NonZeroU32::new(100).ok_or("limit")?).send().await?.into_inner();
    let agent = roles.items.iter().find(|r| r.key == "agent").ok_or("the account has no `agent` role")?;
    println!("{} roles; copying `{}`", roles.items.len(), agent.name);

    // 4. Copy the Agent role, then narrow the copy: it gives up one section it was granted.
    let copy = client
        .copy_role()
        .id(agent.id.clone())
        // Keys and names are checked against the spec's patterns before anything is sent.
        .body(types::CopyRole { key: "agent_narrow".parse()?, name: "Agent (narrowed)".parse()? })
        .send()
        .await?;
    let etag = header(&copy, "etag")?;
    let copy = copy.into_inner();
    let dropped_section = copy.grants.keys().min().cloned().ok_or("the copied role grants nothing")?;
    let kept_section = copy.grants.keys().filter(|k| **k != dropped_section).min().cloned().ok_or("one grant only")?;
    let mut grants = copy.grants.clone();
    grants.remove(&dropped_section);
    let narrowed = client
        .update_role()
        .id(copy.id)
        // Optimistic concurrency: a stale `If-Match` would answer 412 instead of losing an edit.
        .if_match(etag)
        .body(types::RolePatch::builder().grants(Some(grants)))
        .send()
        .await?
        .into_inner();
    println!("`{}` no longer grants `{dropped_section}`", narrowed.key);

    // 5. Assign it to the demo agent (MightyCall-style accounts hold one role per user).
    let agent_email = format!("agent@{account}.example");
    let users = client.list_users().limit(std::num::NonZeroU32::new(500).ok_or("limit")?).send().await?.into_inner();
    let agent_user = users.items.iter().find(|u| u.email == agent_email).ok_or("no demo agent")?;
    client
        .set_user_roles()
        .id(agent_user.id.clone())
        .body(types::SetRoles { roles: vec![narrowed.key.parse()?] })
        .send()
        .await?;

    // 6. Ask for decisions: the dropped section is refused (with the reason), the kept one allowed.
    let dropped = ask(&client, &agent_user.id, &agent_email, format!("{dropped_section}:view")).await?;
    let kept = ask(&client, &agent_user.id, &agent_email, format!("{kept_section}:view")).await?;

    // 7. Page through the communications the caller may see, following `next_cursor`.
    let (mut pages, mut seen, mut cursor) = (0, 0, None::<String>);
    loop {
        let mut request = client.list_communications().limit(std::num::NonZeroU32::new(200).ok_or("limit")?);
        if let Some(cursor) = cursor.take() {
            request = request.cursor(cursor);
        }
        let page = request.send().await?.into_inner();
        pages += 1;
        seen += page.items.len();
        match page.next_cursor {
            Some(next) if pages < 50 => cursor = Some(next),
            _ => break,
        }
    }
    println!("{seen} communications in {pages} pages");

    Ok(Walk {
        signed_in_as: me.user.email,
        roles_listed: roles.items.len(),
        narrowed_role_key: narrowed.key,
        narrowed_role_version: narrowed.version,
        dropped,
        kept,
        communication_pages: pages,
        communications_seen: seen,
    })
}

async fn ask(
    client: &Client,
    user: &types::UserId,
    email: &str,
    permission: String,
) -> Result<(String, types::Answer), AnyError> {
    let answer = client
        .authorize()
        .body(types::Check { permission: Some(permission.parse()?), resource: None, user_id: Some(user.clone()) })
        .send()
        .await?
        .into_inner();
    println!("{email} {permission}: allowed={} ({:?})", answer.allowed, answer.reason.code);
    Ok((permission, answer))
}

fn header<T>(response: &switchboard_client::ResponseValue<T>, name: &str) -> Result<String, AnyError> {
    let value = response.headers().get(name).ok_or_else(|| format!("no {name} header"))?;
    Ok(value.to_str()?.to_owned())
}

#[allow(dead_code, reason = "the end-to-end test includes this file and calls `walk` itself")]
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), AnyError> {
    let base_url = std::env::args().nth(1).unwrap_or_else(|| "http://127.0.0.1:8080".into());
    let account = std::env::var("SWITCHBOARD_ACCOUNT").unwrap_or_else(|_| "demo-mightycall".into());
    let password = std::env::var("SWITCHBOARD_PASSWORD").unwrap_or_else(|_| "switchboard-demo".into());
    walk(&base_url, &account, &password).await?;
    Ok(())
}
