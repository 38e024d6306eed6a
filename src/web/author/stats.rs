//! A quiz's statistics for its course's authors (the API's `GET /courses/{slug}/quizzes/{key}/stats`,
//! `quiz::stats::quiz_stats`): the summary in words, per question the share of right answers as
//! a horizontal bar chart drawn on the server (`officer::charts::rows_chart`), and the figures in
//! a table.

use actix_web::{web, HttpResponse};
use askama::Template;

use super::super::officer::charts::{self, Row};
use super::super::{Chrome, Ctx, PageError};
use crate::i18n::Lang;
use crate::quiz::stats::{self, QuizStats};
use crate::telemetry::run_blocking;

/// A share (0–1) as a whole percentage, as the page writes it.
pub(super) fn percent(share: f64) -> String {
    let p = if share.is_finite() {
        (share * 100.0).round().clamp(0.0, 100.0)
    } else {
        0.0
    };
    format!("{p}\u{a0}%")
}

/// A question's prompt cut to `max` characters (an ellipsis when cut), for a chart's label.
pub(super) fn short(text: &str, max: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max.saturating_sub(1)).collect();
    format!("{}…", cut.trim_end())
}

struct QuestionView {
    key: String,
    prompt: String,
    answered: i64,
    share: String,
    wrong: String,
}

#[derive(Template)]
#[template(path = "author_stats.html")]
struct StatsPage {
    c: Chrome,
    slug: String,
    key: String,
    summary: String,
    difficult: String,
    chart: String,
    questions: Vec<QuestionView>,
}

fn view(ctx: &Ctx, slug: String, key: String, s: QuizStats) -> StatsPage {
    let t = ctx.t();
    let median = s
        .median_score
        .map(|m| percent(m / 100.0))
        .unwrap_or_else(|| t.author_stats_none.to_string());
    let summary = format!(
        "{} {}. {} {}. {} {}.",
        t.author_stats_attempts,
        s.attempts,
        t.author_stats_pass_rate,
        percent(s.pass_rate),
        t.author_stats_median,
        median
    );
    let difficult = if s.difficult_questions.is_empty() {
        t.author_stats_no_difficult.to_string()
    } else {
        format!(
            "{} {}.",
            t.author_stats_difficult,
            s.difficult_questions.join(", ")
        )
    };
    let labels: Vec<String> = s
        .questions
        .iter()
        .map(|q| short(&format!("{}: {}", q.key, q.prompt), 40))
        .collect();
    let rows: Vec<Row<'_>> = s
        .questions
        .iter()
        .zip(&labels)
        .map(|(q, l)| Row {
            label: l,
            rate: Some(q.correct_share * 100.0),
            target: None,
        })
        .collect();
    let chart = charts::rows_chart(&rows, t.author_stats_chart_title, &|r| {
        percent(r.unwrap_or(0.0) / 100.0)
    });
    let questions = s
        .questions
        .iter()
        .map(|q| QuestionView {
            key: q.key.clone(),
            prompt: q.prompt.clone(),
            answered: q.answered,
            share: percent(q.correct_share),
            wrong: q
                .most_chosen_wrong_answer
                .clone()
                .unwrap_or_else(|| t.author_stats_none.to_string()),
        })
        .collect();
    StatsPage {
        c: ctx.chrome(format!("{}: {key}", t.author_stats_title), true),
        slug,
        key,
        summary,
        difficult,
        chart,
        questions,
    }
}

/// `GET /author/courses/{slug}/quizzes/{key}/stats`.
pub(super) async fn stats_page(
    ctx: Ctx,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let user = ctx.user().await?;
    let lang: Lang = ctx.lang;
    let (slug, key) = path.into_inner();
    let st = ctx.state.clone();
    let (s, k) = (slug.clone(), key.clone());
    let res = run_blocking(move || {
        st.read_stale_on(|pool| stats::quiz_stats(pool, &st.catalogue, &user, &s, &k))
    })
    .await
    .map_err(|e| PageError::hidden(lang, e))?;
    ctx.ok(&view(&ctx, slug, key, res))
}

#[cfg(test)]
mod tests {
    use super::{percent, short};

    #[test]
    fn shares_are_whole_percentages_within_the_scale() {
        assert_eq!(percent(1.0 / 3.0), "33\u{a0}%");
        assert_eq!(percent(0.0), "0\u{a0}%");
        assert_eq!(percent(1.0), "100\u{a0}%");
        assert_eq!(percent(f64::NAN), "0\u{a0}%");
    }

    #[test]
    fn long_prompts_are_cut_on_characters() {
        assert_eq!(short("Ai được biết mã OTP?", 40), "Ai được biết mã OTP?");
        assert_eq!(short("Công an gọi điện bắt", 10), "Công an g…");
        assert_eq!(short("ẩẩẩẩẩẩ", 4), "ẩẩẩ…");
        assert_eq!(short("ab   cd", 4), "ab…");
    }
}
