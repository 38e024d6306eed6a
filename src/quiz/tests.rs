use std::collections::{BTreeMap, HashSet};

use super::*;
use crate::content::{Choice, Pair, Question, QuizSpec};
use rand::SeedableRng;

fn q(key: &str, kind: &str) -> Question {
    Question {
        key: key.into(),
        kind: kind.into(),
        prompt: format!("Câu {key}?"),
        explanation: format!("Giải thích {key}"),
        competences: vec![],
        tags: vec![],
        image_url: None,
        choices: vec![],
        partial_credit: false,
        answer: None,
        accepted: vec![],
        ignore_diacritics: false,
        items: vec![],
        pairs: vec![],
    }
}

fn choices(texts: &[(&str, bool)]) -> Vec<Choice> {
    texts
        .iter()
        .map(|(t, c)| Choice {
            text: t.to_string(),
            correct: *c,
        })
        .collect()
}

fn spec(questions: Vec<Question>, per_attempt: u32) -> QuizSpec {
    QuizSpec {
        title: "Kiểm tra".into(),
        title_en: "Check".into(),
        pass_mark: 60,
        questions_per_attempt: per_attempt,
        shuffle_questions: true,
        shuffle_choices: true,
        max_attempts: 0,
        cooldown_seconds: 0,
        time_limit_seconds: None,
        show_answers: "after_attempt".into(),
        optional: false,
        quotas: BTreeMap::new(),
        questions,
    }
}

fn one(kind: &str) -> PaperQuestion {
    let mut question = q("x", kind);
    match kind {
        "single" => question.choices = choices(&[("A", false), ("B", true), ("C", false)]),
        "multiple" => {
            question.choices = choices(&[("A", true), ("B", true), ("C", false), ("D", false)])
        }
        "true_false" => question.answer = Some(false),
        "short_text" => {
            question.accepted = vec!["Mã OTP".into(), "otp".into()];
            question.ignore_diacritics = true;
        }
        "ordering" => question.items = vec!["một".into(), "hai".into(), "ba".into()],
        _ => {
            question.pairs = vec![
                Pair {
                    left: "VNeID".into(),
                    right: "định danh".into(),
                },
                Pair {
                    left: "VietQR".into(),
                    right: "thanh toán".into(),
                },
            ]
        }
    }
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    draw(&spec(vec![question], 1), &mut rng)
        .unwrap()
        .questions
        .remove(0)
}

fn answer(q: &PaperQuestion) -> Answer {
    Answer::to(q.id.clone())
}

fn id_of(q: &PaperQuestion, index: usize) -> String {
    q.options
        .iter()
        .find(|o| o.index == index)
        .unwrap()
        .id
        .clone()
}

#[test]
fn draw_respects_pool_size_and_quotas() {
    let mut questions: Vec<Question> = (0..10).map(|i| q(&format!("q{i}"), "true_false")).collect();
    for qq in questions.iter_mut().take(3) {
        qq.tags = vec!["otp".into()];
    }
    let mut s = spec(questions, 5);
    s.quotas.insert("otp".into(), 2);
    let mut rng = rand::rngs::StdRng::seed_from_u64(1);
    for _ in 0..200 {
        let paper = draw(&s, &mut rng).unwrap();
        assert_eq!(paper.questions.len(), 5);
        let keys: HashSet<&str> = paper
            .questions
            .iter()
            .map(|q| q.spec.key.as_str())
            .collect();
        assert_eq!(keys.len(), 5, "no question twice");
        let otp = paper
            .questions
            .iter()
            .filter(|q| q.spec.tags.contains(&"otp".to_string()))
            .count();
        assert!(otp >= 2);
    }
    // Over many draws every question appears: the draw is random.
    let mut seen = HashSet::new();
    for _ in 0..200 {
        for q in draw(&s, &mut rng).unwrap().questions {
            seen.insert(q.spec.key);
        }
    }
    assert_eq!(seen.len(), 10);
}

#[test]
fn ids_are_fresh_and_shown_questions_reveal_nothing() {
    let mut question = q("x", "single");
    question.choices = choices(&[("Đúng", true), ("Sai", false)]);
    let s = spec(vec![question], 1);
    let mut rng = rand::thread_rng();
    let a = draw(&s, &mut rng).unwrap();
    let b = draw(&s, &mut rng).unwrap();
    assert_ne!(a.questions[0].id, b.questions[0].id);
    assert_ne!(a.questions[0].options[0].id, b.questions[0].options[0].id);
    for kind in [
        "single",
        "multiple",
        "true_false",
        "short_text",
        "ordering",
        "matching",
    ] {
        let json = serde_json::to_string(&shown(&one(kind))).unwrap();
        for leak in [
            "correct",
            "explanation",
            "Giải thích",
            "accepted",
            "answer",
            "index",
            "OTP\"",
            "\"key\"",
        ] {
            assert!(!json.contains(leak), "{kind} leaks {leak}: {json}");
        }
    }
}

#[test]
fn ordering_is_shuffled_whatever_the_settings() {
    let mut question = q("x", "ordering");
    question.items = (0..6).map(|i| format!("bước {i}")).collect();
    let mut s = spec(vec![question], 1);
    s.shuffle_choices = false;
    let mut rng = rand::thread_rng();
    let in_order = (0..50)
        .filter(|_| {
            let p = draw(&s, &mut rng).unwrap();
            p.questions[0]
                .options
                .iter()
                .enumerate()
                .all(|(pos, o)| o.index == pos)
        })
        .count();
    assert!(
        in_order < 5,
        "{in_order} of 50 draws showed the answer order"
    );
}

#[test]
fn grading_every_type() {
    let s = one("single");
    let mut a = answer(&s);
    a.choice = Some(id_of(&s, 1));
    assert!(grade_question(&s, Some(&a)).result.correct);
    a.choice = Some(id_of(&s, 0));
    let g = grade_question(&s, Some(&a));
    assert!(!g.result.correct);
    assert_eq!(g.wrong_answer.as_deref(), Some("A"));

    let m = one("multiple");
    let mut a = answer(&m);
    a.choices = Some(vec![id_of(&m, 0), id_of(&m, 1)]);
    assert_eq!(grade_question(&m, Some(&a)).result.credit, 1.0);
    a.choices = Some(vec![id_of(&m, 0)]);
    assert_eq!(
        grade_question(&m, Some(&a)).result.credit,
        0.0,
        "all or nothing by default"
    );
    let mut partial = m.clone();
    partial.spec.partial_credit = true;
    assert_eq!(grade_question(&partial, Some(&a)).result.credit, 0.5);
    a.choices = Some(vec![id_of(&m, 0), id_of(&m, 2)]);
    assert_eq!(grade_question(&partial, Some(&a)).result.credit, 0.0);
    a.choices = Some(vec![id_of(&m, 0), id_of(&m, 1), id_of(&m, 2)]);
    assert_eq!(grade_question(&partial, Some(&a)).result.credit, 0.5);

    let t = one("true_false");
    let mut a = answer(&t);
    a.value = Some(false);
    assert!(grade_question(&t, Some(&a)).result.correct);
    a.value = Some(true);
    assert!(!grade_question(&t, Some(&a)).result.correct);

    let st = one("short_text");
    let mut a = answer(&st);
    for (text, ok) in [
        ("  ma otp ", true),
        ("MÃ OTP", true),
        ("OTP", true),
        ("mật khẩu", false),
        ("", false),
    ] {
        a.text = Some(text.into());
        assert_eq!(grade_question(&st, Some(&a)).result.correct, ok, "{text}");
    }
    let mut strict = st.clone();
    strict.spec.ignore_diacritics = false;
    a.text = Some("ma otp".into());
    assert!(!grade_question(&strict, Some(&a)).result.correct);
    a.text = Some(" mã otp".into());
    assert!(grade_question(&strict, Some(&a)).result.correct);

    let o = one("ordering");
    let mut a = answer(&o);
    a.order = Some((0..3).map(|i| id_of(&o, i)).collect());
    assert!(grade_question(&o, Some(&a)).result.correct);
    a.order = Some(vec![id_of(&o, 1), id_of(&o, 0), id_of(&o, 2)]);
    assert!(!grade_question(&o, Some(&a)).result.correct);

    let mt = one("matching");
    let right_of = |i: usize| mt.rights.iter().find(|o| o.index == i).unwrap().id.clone();
    let mut a = answer(&mt);
    a.matches = Some(vec![
        MatchPair {
            left: id_of(&mt, 0),
            right: right_of(0),
        },
        MatchPair {
            left: id_of(&mt, 1),
            right: right_of(1),
        },
    ]);
    assert!(grade_question(&mt, Some(&a)).result.correct);
    a.matches = Some(vec![
        MatchPair {
            left: id_of(&mt, 0),
            right: right_of(1),
        },
        MatchPair {
            left: id_of(&mt, 1),
            right: right_of(0),
        },
    ]);
    assert!(!grade_question(&mt, Some(&a)).result.correct);

    // The solution grades as correct.
    for kind in [
        "single",
        "multiple",
        "true_false",
        "short_text",
        "ordering",
        "matching",
    ] {
        let pq = one(kind);
        let sol = solution(&pq);
        assert!(grade_question(&pq, Some(&sol)).result.correct, "{kind}");
    }
}

#[test]
fn answers_are_checked_against_the_paper() {
    let mut rng = rand::thread_rng();
    let mut s1 = q("a", "single");
    s1.choices = choices(&[("A", true), ("B", false)]);
    let mut s2 = q("b", "ordering");
    s2.items = vec!["x".into(), "y".into()];
    let paper = draw(&spec(vec![s1.clone(), s2], 2), &mut rng).unwrap();
    let other = draw(&spec(vec![s1], 1), &mut rng).unwrap();
    let single = paper
        .questions
        .iter()
        .find(|q| q.kind == QuestionKind::Single)
        .unwrap();
    let ordering = paper
        .questions
        .iter()
        .find(|q| q.kind == QuestionKind::Ordering)
        .unwrap();

    let mut a = answer(single);
    a.choice = Some(single.options[0].id.clone());
    assert!(check_answer(&paper, &a).is_ok());
    a.choice = Some(other.questions[0].options[0].id.clone());
    assert!(check_answer(&paper, &a)
        .unwrap_err()
        .message
        .contains("not an option"));
    a.value = Some(true);
    assert!(check_answer(&paper, &a)
        .unwrap_err()
        .message
        .contains("answer with `choice` only"));
    let mut a = answer(ordering);
    a.order = Some(vec![ordering.options[0].id.clone()]);
    assert!(check_answer(&paper, &a)
        .unwrap_err()
        .message
        .contains("every item id exactly once"));
    let mut a = answer(single);
    a.question = "khong-co".into();
    a.choice = Some("x".into());
    assert!(check_answer(&paper, &a)
        .unwrap_err()
        .message
        .contains("not in this attempt"));
}

#[test]
fn score_and_reveal() {
    let mut rng = rand::thread_rng();
    let mut qs = Vec::new();
    for i in 0..4 {
        let mut t = q(&format!("t{i}"), "true_false");
        t.answer = Some(true);
        qs.push(t);
    }
    let paper = draw(&spec(qs, 4), &mut rng).unwrap();
    let mut answers = BTreeMap::new();
    for pq in paper.questions.iter().take(3) {
        let mut a = answer(pq);
        a.value = Some(true);
        answers.insert(pq.id.clone(), a);
    }
    let (graded, score) = grade(&paper, &answers);
    assert_eq!(graded.len(), 4);
    assert_eq!(score, 75.0);
    assert!(reveal(ShowAnswers::AfterAttempt, false, None));
    assert!(!reveal(ShowAnswers::Never, true, Some(0)));
    assert!(!reveal(ShowAnswers::AfterPass, false, None));
    assert!(reveal(ShowAnswers::AfterPass, true, None));
    assert!(!reveal(ShowAnswers::AfterLastAttempt, false, Some(1)));
    assert!(reveal(ShowAnswers::AfterLastAttempt, false, Some(0)));
}

#[test]
fn papers_are_stored_by_key_and_read_back_with_the_release() {
    let mut questions: Vec<Question> = ["single", "multiple", "ordering", "matching"]
        .iter()
        .enumerate()
        .map(|(i, kind)| q(&format!("q{i}"), kind))
        .collect();
    questions[0].choices = choices(&[("A", true), ("B", false)]);
    questions[1].choices = choices(&[("A", true), ("B", true), ("C", false)]);
    questions[2].items = vec!["một".into(), "hai".into()];
    questions[3].pairs = vec![Pair {
        left: "L".into(),
        right: "R".into(),
    }];
    let s = spec(questions, 4);
    let paper = draw(&s, &mut rand::thread_rng()).unwrap();
    let json = serde_json::to_string(&paper.stored()).unwrap();
    for text in ["Câu q0?", "Giải thích", "\"correct\"", "một", "\"L\""] {
        assert!(!json.contains(text), "{text} stored: {json}");
    }
    let back: StoredPaper = serde_json::from_str(&json).unwrap();
    assert!(!back.is_self_contained());
    let back = back.resolve(Some(&s)).unwrap();
    assert_eq!(back.pass_mark, 60);
    for (a, b) in paper.questions.iter().zip(&back.questions) {
        assert_eq!(
            (&a.id, &a.spec, &a.options, &a.rights),
            (&b.id, &b.spec, &b.options, &b.rights)
        );
    }
    // A release without one of the questions cannot give the paper back.
    let mut other = s.clone();
    other.questions.remove(0);
    let back: StoredPaper = serde_json::from_str(&json).unwrap();
    assert!(back.resolve(Some(&other)).unwrap_err().contains("`q0`"));
}

#[test]
fn papers_stored_whole_by_earlier_versions_still_read() {
    let mut question = q("x", "single");
    question.choices = choices(&[("Đúng", true), ("Sai", false)]);
    let spec_json = serde_json::to_string(&question).unwrap();
    let json = format!(
        r#"{{"questions":[{{"id":"abc","spec":{spec_json},"options":[{{"id":"o1","index":1}},{{"id":"o2","index":0}}],"rights":[]}}],"pass_mark":50,"show_answers":"never","max_attempts":2}}"#
    );
    let stored: StoredPaper = serde_json::from_str(&json).unwrap();
    assert!(stored.is_self_contained());
    let paper = stored.resolve(None).unwrap();
    assert_eq!(paper.questions[0].spec, question);
    assert_eq!(paper.show_answers, Some(ShowAnswers::Never));
    let explained = paper.explained(vec![grade_question(&paper.questions[0], None).result]);
    assert_eq!(explained[0].explanation.as_deref(), Some("Giải thích x"));
    assert_eq!(
        explained[0].solution.as_ref().unwrap().choice.as_deref(),
        Some("o2")
    );
}

#[test]
fn a_refusal_names_its_problem_and_the_shown_questions_give_the_same() {
    let paper_of = |q: PaperQuestion| Paper {
        questions: vec![q],
        ..Paper::default()
    };
    let check_both = |q: &PaperQuestion, a: &Answer| {
        let paper = paper_of(q.clone());
        let on_paper = check_answer(&paper, a).err().map(|r| r.problem);
        let on_page = check_shown(&[shown(q)], a).err().map(|r| r.problem);
        assert_eq!(on_paper, on_page, "{a:?}");
        on_paper
    };
    let matching = one("matching");
    let pair = |l: usize, r: usize| MatchPair {
        left: matching.options[l].id.clone(),
        right: matching.rights[r].id.clone(),
    };
    let mut a = answer(&matching);
    a.matches = Some(vec![pair(0, 0), pair(1, 0)]);
    assert_eq!(check_both(&matching, &a), Some(AnswerProblem::MatchedTwice));
    a.matches = Some(vec![pair(0, 0), pair(1, 1)]);
    assert_eq!(check_both(&matching, &a), None);
    a.matches = Some(vec![MatchPair {
        left: matching.options[0].id.clone(),
        right: "khong-co".into(),
    }]);
    assert_eq!(
        check_both(&matching, &a),
        Some(AnswerProblem::UnknownOption)
    );

    let ordering = one("ordering");
    let mut a = answer(&ordering);
    let first = ordering.options[0].id.clone();
    a.order = Some(vec![first.clone(), first, ordering.options[2].id.clone()]);
    assert_eq!(
        check_both(&ordering, &a),
        Some(AnswerProblem::OrderIncomplete)
    );

    let multiple = one("multiple");
    let mut a = answer(&multiple);
    a.choices = Some(vec![multiple.options[0].id.clone(); 2]);
    assert_eq!(check_both(&multiple, &a), Some(AnswerProblem::ChosenTwice));
    a.choices = None;
    a.value = Some(true);
    assert_eq!(check_both(&multiple, &a), Some(AnswerProblem::WrongField));

    let text = one("short_text");
    let mut a = answer(&text);
    a.text = Some("a".repeat(501));
    assert_eq!(check_both(&text, &a), Some(AnswerProblem::TooLong));
    a.question = "khong-co".into();
    assert_eq!(check_both(&text, &a), Some(AnswerProblem::NotInAttempt));
}
