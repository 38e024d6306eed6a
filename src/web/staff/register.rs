//! Registering a resident (and a household on the spot), and the login cards to print: one a
//! registration, up to a sheet of them carried from one form to the next.

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use askama::Template;

use super::super::{field_errors, is_validation, message_of, Chrome, Ctx, Errors, Form, PageError};
use super::{no_store, staff_user, Opt, ProfileOptions};
use crate::auth::AuthUser;
use crate::community::households::{self, NewHousehold};
use crate::community::profiles::ProfileChanges;
use crate::community::residents::{self, NewResident};
use crate::community::Db;
use crate::content::fold;
use crate::error::Code;
use crate::telemetry::run_blocking;

/// What the registration form holds (what was typed comes back with the errors).
#[derive(Default, Clone)]
struct Typed {
    name: String,
    village: String,
    household: String,
    household_name: String,
    birth_year: String,
    gender: String,
    group: String,
    eid: String,
    phone: String,
    username: String,
    /// How the resident consented to the privacy notice (`paper`, `in_person`).
    consent: String,
}

/// A login card to print: shown once, as the answer to the registration.
#[derive(Clone)]
struct Card {
    name: String,
    village: String,
    username: String,
    pin: String,
}

impl Card {
    /// The card carried in the next registration form (so that a sheet holds several).
    fn packed(&self) -> String {
        [&self.name, &self.village, &self.username, &self.pin]
            .map(|s| s.replace('|', ""))
            .join("|")
    }
    fn unpack(s: &str) -> Option<Card> {
        let mut p = s.split('|');
        let card = Card {
            name: p.next()?.to_string(),
            village: p.next()?.to_string(),
            username: p.next()?.to_string(),
            pin: p.next()?.to_string(),
        };
        (p.next().is_none() && !card.username.is_empty()).then_some(card)
    }
}

/// Cards on one A4 sheet.
const CARDS_PER_SHEET: usize = 10;

/// A group of options (the households of one village).
struct OptGroup {
    label: String,
    options: Vec<Opt>,
}

#[derive(Template)]
#[template(path = "staff_new.html")]
struct NewResidentPage {
    c: Chrome,
    v: Typed,
    villages: Vec<Opt>,
    households: Vec<OptGroup>,
    profile: ProfileOptions,
    errs: Errors,
    error: String,
    /// Cards printed so far on this sheet (carried in the form).
    cards: Vec<String>,
}

#[derive(Template)]
#[template(path = "staff_card.html")]
struct CardPage {
    c: Chrome,
    cards: Vec<Card>,
    packed: Vec<String>,
    site: String,
    qr_svg: String,
    resident_href: String,
}

pub(super) async fn new_resident_page(ctx: Ctx) -> Result<HttpResponse, PageError> {
    let user = staff_user(&ctx).await?;
    let page = new_form(
        &ctx,
        &user,
        Typed::default(),
        Errors::default(),
        String::new(),
        vec![],
    )
    .await?;
    ctx.ok(&page)
}

async fn new_form(
    ctx: &Ctx,
    user: &AuthUser,
    mut v: Typed,
    errs: Errors,
    error: String,
    cards: Vec<String>,
) -> Result<NewResidentPage, PageError> {
    let lang = ctx.lang;
    let t = ctx.t();
    let (st, actor) = (ctx.state.clone(), user.clone());
    let villages = run_blocking(move || residents::my_village_list(&Db::of(&st), &actor))
        .await
        .map_err(|e| PageError::hidden(lang, e))?;
    if v.village.is_empty() {
        v.village = villages
            .first()
            .map(|m| m.village.id.clone())
            .unwrap_or_default();
    }
    if v.group.is_empty() {
        v.group = "citizen".into();
    }
    if v.eid.is_empty() {
        v.eid = "none".into();
    }
    let households = villages
        .iter()
        .filter(|m| !m.households.is_empty())
        .map(|m| OptGroup {
            label: m.village.name.clone(),
            options: m
                .households
                .iter()
                .map(|h| Opt {
                    value: h.id.clone(),
                    label: h.label.clone(),
                    selected: h.id == v.household,
                })
                .collect(),
        })
        .collect();
    let village_opts = villages
        .iter()
        .map(|m| Opt {
            value: m.village.id.clone(),
            label: m.village.name.clone(),
            selected: m.village.id == v.village,
        })
        .collect();
    Ok(NewResidentPage {
        c: ctx.chrome(t.staff_new_title, true),
        villages: village_opts,
        households,
        profile: ProfileOptions::new(t, &v.gender, &v.group, &v.eid),
        v,
        errs,
        error,
        cards,
    })
}

/// The registration form again after a card, the cards so far carried along (the next card
/// goes on the same sheet).
pub(super) async fn another(form: Form) -> Result<HttpResponse, PageError> {
    let ctx = &form.ctx;
    let user = staff_user(ctx).await?;
    let cards: Vec<String> = form
        .all("card")
        .into_iter()
        .filter(|c| Card::unpack(c).is_some())
        .collect();
    // A full sheet starts a new one.
    let cards = if cards.len() >= CARDS_PER_SHEET {
        vec![]
    } else {
        cards
    };
    let page = new_form(
        ctx,
        &user,
        Typed::default(),
        Errors::default(),
        String::new(),
        cards,
    )
    .await?;
    Ok(no_store(ctx.ok(&page)?))
}

/// A username from the name (ASCII, dots), with a few random digits.
fn suggested_username(name: &str) -> String {
    let base: String = fold(name)
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(|w| {
            w.chars()
                .filter(|c| c.is_ascii_alphanumeric())
                .collect::<String>()
        })
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(".");
    let mut base: String = base.chars().take(24).collect();
    base = base.trim_end_matches('.').to_string();
    if base.is_empty() {
        base = "hocvien".into();
    }
    format!("{base}.{}", random_digits(3))
}

fn random_digits(n: usize) -> String {
    use rand::Rng;
    let mut rng = rand::thread_rng();
    (0..n)
        .map(|_| char::from(b'0' + rng.gen_range(0..10u8)))
        .collect()
}

/// A PIN of 6 digits that is not trivial.
fn new_pin() -> String {
    loop {
        let pin = random_digits(6);
        if crate::community::check_pin_or_password(&pin).is_none() {
            return pin;
        }
    }
}

pub(super) async fn register(form: Form) -> Result<HttpResponse, PageError> {
    let ctx = &form.ctx;
    let lang = ctx.lang;
    let t = ctx.t();
    let user = staff_user(ctx).await?;
    let cards: Vec<String> = form
        .all("card")
        .into_iter()
        .filter(|c| Card::unpack(c).is_some())
        .take(CARDS_PER_SHEET - 1)
        .collect();
    let mut v = Typed {
        name: form.text("display_name").trim().to_string(),
        village: form.text("village"),
        household: form.text("household"),
        household_name: form.text("household_name").trim().to_string(),
        birth_year: form.text("birth_year").trim().to_string(),
        gender: form.text("gender"),
        group: form.text("learner_group"),
        eid: form.text("eid_status"),
        phone: form.text("phone").trim().to_string(),
        username: form.text("username").trim().to_string(),
        consent: form.text("consent_way"),
    };
    let mut errs = Errors::default();
    let birth_year = if v.birth_year.is_empty() {
        None
    } else {
        match v.birth_year.parse::<i32>() {
            Ok(y) => Some(y),
            Err(_) => {
                errs.push("birth_year", t.err_birth_year);
                None
            }
        }
    };
    if v.name.is_empty() {
        errs.push("display_name", t.err_required);
    }
    if errs.any() {
        let page = new_form(ctx, &user, v, errs, String::new(), cards).await?;
        return ctx.render(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    // A household created on the spot, in the chosen village.
    if !v.household_name.is_empty() {
        let (st, actor) = (ctx.state.clone(), user.clone());
        let new = NewHousehold {
            code: format!("HGD-{}", random_digits(6)),
            label: v.household_name.clone(),
            address: None,
        };
        let village = v.village.clone();
        match run_blocking(move || households::create(&Db::of(&st), &actor, village, new)).await {
            Ok(h) => {
                v.household = h.id;
                v.household_name.clear();
            }
            Err(e) if is_validation(&e) => {
                errs.push("household_name", message_of(lang, &e));
                let page = new_form(ctx, &user, v, errs, String::new(), cards).await?;
                return ctx.render(StatusCode::UNPROCESSABLE_ENTITY, &page);
            }
            Err(e) => return Err(PageError::hidden(lang, e)),
        }
    }
    let username = if v.username.is_empty() {
        suggested_username(&v.name)
    } else {
        v.username.clone()
    };
    let pin = new_pin();
    let new = NewResident {
        village_id: v.village.clone(),
        household_id: Some(v.household.clone()).filter(|h| !h.is_empty()),
        display_name: v.name.clone(),
        username: username.clone(),
        password: pin.clone(),
        phone: Some(v.phone.clone()).filter(|p| !p.is_empty()),
        consent_way: crate::privacy::ConsentWay::parse(&v.consent),
        profile: ProfileChanges {
            birth_year,
            gender: Some(v.gender.clone()).filter(|g| !g.is_empty()),
            learner_group: Some(v.group.clone()).filter(|g| !g.is_empty()),
            eid_status: Some(v.eid.clone()).filter(|g| !g.is_empty()),
            household_id: None,
        },
    };
    let (st, actor) = (ctx.state.clone(), user.clone());
    let result = run_blocking(move || {
        let db = Db::of(&st);
        let r = residents::register(&db, &st.hasher, &st.settings.public_url, &actor, new)?;
        let village = residents::my_village_list(&db, &actor)?
            .into_iter()
            .find(|m| Some(&m.village.id) == r.profile.village_id.as_ref())
            .map(|m| m.village.name)
            .unwrap_or_default();
        Ok((r, village))
    })
    .await;
    match result {
        Ok((r, village)) => {
            let card = Card {
                name: r.user.display_name.clone(),
                village,
                username: r.user.username.clone().unwrap_or(username),
                pin,
            };
            let mut all: Vec<Card> = cards.iter().filter_map(|c| Card::unpack(c)).collect();
            all.push(card);
            let site = ctx
                .state
                .settings
                .public_url
                .trim_end_matches('/')
                .to_string();
            let page = CardPage {
                c: ctx.chrome(t.staff_card_title, true),
                packed: all.iter().map(Card::packed).collect(),
                cards: all,
                qr_svg: crate::certs::qr_svg(&format!("{site}/login")),
                site,
                resident_href: format!("/staff/residents/{}", r.user.id),
            };
            // The PIN is in this answer only: no cache keeps it.
            Ok(no_store(ctx.ok(&page)?))
        }
        Err(e) if e.status.is_client_error() && e.status != StatusCode::FORBIDDEN => {
            let mut error = String::new();
            if is_validation(&e) {
                for (field, message) in field_errors(lang, &e) {
                    let field = match field.as_str() {
                        "password" | "username" => "username",
                        "learner_group" => "learner_group",
                        f => f,
                    };
                    errs.push(field, message);
                }
            } else {
                match e.code {
                    Code::UsernameTaken => errs.push("username", t.err_taken),
                    Code::PhoneTaken => errs.push("phone", t.err_taken),
                    _ if e.status == StatusCode::NOT_FOUND => {
                        errs.push("household", t.err_household)
                    }
                    _ => error = message_of(lang, &e),
                }
            }
            if !errs.any() && error.is_empty() {
                error = message_of(lang, &e);
            }
            let page = new_form(ctx, &user, v, errs, error, cards).await?;
            ctx.render(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(e) => Err(PageError::hidden(lang, e)),
    }
}
