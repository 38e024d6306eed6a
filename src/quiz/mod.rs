//! Quizzes. The engine's rules, with no HTTP and no database: drawing a paper for an attempt
//! and what a learner may see before submitting (`paper.rs`), checking answers (`answers.rs`),
//! grading (`grading.rs`). The use cases on them: attempts (`attempts.rs`), the learner's
//! (`learner.rs`), statistics for authors (`stats.rs`).

mod answers;
pub mod attempts;
mod grading;
pub mod learner;
mod paper;
pub mod stats;

#[cfg(test)]
mod tests;

pub use crate::kinds::{AttemptStatus, QuestionKind, ShowAnswers};
pub use answers::{check_answer, check_shown, Answer, AnswerProblem, AnswerRefusal, MatchPair};
pub use grading::{grade, grade_question, reveal, solution, Graded, QuestionResult};
pub use paper::{draw, shown, Opt, Paper, PaperQuestion, ShownOption, ShownQuestion, StoredPaper};
