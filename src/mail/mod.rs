//! Outgoing mail: templates (Vietnamese and English, text and HTML), transports, and the
//! background worker that drains the outbox.

pub mod templates;

use std::sync::Arc;
use std::time::Duration;

use chrono::TimeDelta;
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{FileTransport, Message, SmtpTransport, Transport as _};
use secrecy::ExposeSecret;
use tokio::sync::Notify;

use crate::config::Settings;
use crate::db::mail::MailContent;
use crate::db::users::OutboxMail;
use crate::db::{mail as outbox, DbConn, DbPool};
use crate::kinds::MailKind;

/// Whether mail of `kind` is optional: anything but security mail. A person may refuse optional
/// mail (`privacy::choices`, `optional_mail`); security mail, which keeps their account theirs,
/// is sent whatever they chose. A new kind must be placed here.
pub fn is_optional(kind: MailKind) -> bool {
    match kind {
        MailKind::VerifyEmail | MailKind::ResetPassword => false,
        MailKind::CourseCompleted => true,
    }
}

/// Queues `mail` to the person `user_id` in the caller's transaction, unless it is optional mail
/// they refused; the outbox id when queued. Every mail to a known person goes through here.
pub fn queue_to_person(
    conn: &mut DbConn,
    user_id: &str,
    mail: &MailContent,
) -> diesel::QueryResult<Option<String>> {
    if is_optional(mail.kind) && !crate::privacy::choices::wants_optional_mail(conn, user_id)? {
        return Ok(None);
    }
    outbox::enqueue(conn, mail).map(Some)
}

pub enum Transport {
    File(FileTransport),
    Smtp(SmtpTransport),
}

impl Transport {
    pub fn from_settings(s: &Settings) -> anyhow::Result<Self> {
        match s.mail_transport.as_str() {
            "smtp" => {
                let mut builder = match s.smtp_tls.as_str() {
                    "tls" => SmtpTransport::relay(&s.smtp_host)?,
                    "starttls" => SmtpTransport::starttls_relay(&s.smtp_host)?,
                    _ => SmtpTransport::builder_dangerous(&s.smtp_host).tls(Tls::None),
                };
                if s.smtp_tls == "none" {
                    builder = builder.tls(Tls::None);
                } else if s.smtp_tls == "tls" {
                    builder = builder.tls(Tls::Wrapper(TlsParameters::new(s.smtp_host.clone())?));
                }
                builder = builder
                    .port(s.smtp_port)
                    .timeout(Some(Duration::from_secs(10)));
                if !s.smtp_username.is_empty() {
                    let password = s
                        .smtp_password
                        .as_ref()
                        .map(|p| p.expose_secret().to_string())
                        .unwrap_or_default();
                    builder =
                        builder.credentials(Credentials::new(s.smtp_username.clone(), password));
                }
                Ok(Transport::Smtp(builder.build()))
            }
            _ => {
                let dir = s.data_dir.join("mail");
                std::fs::create_dir_all(&dir)?;
                Ok(Transport::File(FileTransport::new(dir)))
            }
        }
    }

    pub fn send(&self, from: &Mailbox, mail: &OutboxMail) -> Result<(), String> {
        let to: Mailbox = mail
            .to_address
            .parse()
            .map_err(|e| format!("bad recipient: {e}"))?;
        let message = Message::builder()
            .from(from.clone())
            .to(to)
            .subject(&mail.subject)
            .multipart(MultiPart::alternative_plain_html(
                mail.body_text.clone(),
                mail.body_html.clone(),
            ))
            .map_err(|e| format!("cannot build message: {e}"))?;
        match self {
            Transport::File(t) => t.send(&message).map(|_| ()).map_err(|e| e.to_string()),
            Transport::Smtp(t) => t.send(&message).map(|_| ()).map_err(|e| e.to_string()),
        }
    }
}

/// Drains the outbox until the runtime stops: due mails are leased, sent, and marked; failures
/// are retried with exponential backoff up to `mail_max_attempts`.
pub async fn run_worker(pool: DbPool, settings: Arc<Settings>, notify: Arc<Notify>) {
    let transport = match Transport::from_settings(&settings) {
        Ok(t) => Arc::new(t),
        Err(e) => {
            tracing::error!(error = %e, "mail transport cannot be set up; mail stays in the outbox");
            return;
        }
    };
    let from: Mailbox = match settings.mail_from.parse() {
        Ok(m) => m,
        Err(e) => {
            tracing::error!(error = %e, "mail_from is not a valid address; mail stays in the outbox");
            return;
        }
    };
    let poll = Duration::from_millis(settings.mail_poll_ms.max(10));
    loop {
        let sent_some = drain_once(&pool, &settings, &transport, &from).await;
        if !sent_some {
            tokio::select! {
                _ = notify.notified() => {}
                _ = tokio::time::sleep(poll) => {}
            }
        }
    }
}

/// How long a worker holds the mails it leased (a batch), and then each one it is about to send.
const LEASE: TimeDelta = TimeDelta::seconds(120);

async fn drain_once(
    pool: &DbPool,
    settings: &Arc<Settings>,
    transport: &Arc<Transport>,
    from: &Mailbox,
) -> bool {
    let p = pool.clone();
    let batch = actix_web::web::block(move || {
        let mut conn = p.get().map_err(|e| e.to_string())?;
        outbox::lease_due(&mut conn, 20, LEASE).map_err(|e| {
            crate::db::lost_connection(&e);
            e.to_string()
        })
    })
    .await;
    let batch = match batch {
        Ok(Ok(b)) => b,
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "mail worker cannot read the outbox");
            return false;
        }
        Err(_) => return false,
    };
    let any = !batch.is_empty();
    for mail in batch {
        let (t, f, p, s) = (
            transport.clone(),
            from.clone(),
            pool.clone(),
            settings.clone(),
        );
        let _ = actix_web::web::block(move || {
            let Ok(mut conn) = p.get() else { return };
            // Still ours? (Another instance may have leased it again if this batch took longer
            // than the lease.) Renewed for one send.
            match outbox::renew_lease(&mut conn, &mail, LEASE) {
                Ok(true) => {}
                Ok(false) => {
                    tracing::info!(mail.id = %mail.id, "mail {} leased by another worker meanwhile; not sent here", mail.id);
                    return;
                }
                Err(e) => {
                    crate::db::lost_connection(&e);
                    tracing::warn!(mail.id = %mail.id, error = %e, "cannot renew the lease of mail {}", mail.id);
                    return;
                }
            }
            let result = t.send(&f, &mail);
            match result {
                Ok(()) => {
                    if let Err(e) = outbox::mark_sent(&mut conn, &mail.id) {
                        tracing::error!(mail.id = %mail.id, error = %e, "mail {} sent but not marked", mail.id);
                    } else {
                        tracing::info!(mail.id = %mail.id, mail.kind = %mail.kind, "mail {} sent", mail.id);
                    }
                }
                Err(err) => {
                    match outbox::mark_attempt_failed(&mut conn, &mail, &err, s.mail_max_attempts, s.mail_retry_base_seconds) {
                        Ok(true) => tracing::error!(mail.id = %mail.id, error = %err, "mail {} failed for good after {} attempts", mail.id, mail.attempts + 1),
                        Ok(false) => tracing::warn!(mail.id = %mail.id, error = %err, "mail {} not sent, will retry", mail.id),
                        Err(e) => tracing::error!(mail.id = %mail.id, error = %e, "cannot record mail failure"),
                    }
                }
            }
        })
        .await;
    }
    any
}
