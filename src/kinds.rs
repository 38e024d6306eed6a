//! The vocabulary of statuses and kinds that are stored and answered as text: one enum each,
//! declared with `text_enum!` (src/db/enums.rs: TEXT in the database, snake_case in JSON). A leaf
//! module, so that the database layer can read and write them without importing the domain;
//! the domain modules re-export theirs (`learning::EnrollmentStatus`, `quiz::AttemptStatus`, ...).

crate::text_enum! {
    /// An enrolment's state (`enrollments.status`).
    pub enum EnrollmentStatus {
        InProgress = "in_progress",
        Completed = "completed",
    }
}

crate::text_enum! {
    /// A lesson's state for a learner (`lesson_progress.status`), and what a progress event
    /// reports (`progress_events.status`): a completed lesson never goes back to started.
    pub enum LessonStatus {
        Started = "started",
        Completed = "completed",
    }
}

crate::text_enum! {
    /// Where a learner stands in a course, as [`crate::learning::progress::CourseProgress`] shows it.
    pub enum CourseStatus {
        NotEnrolled = "not_enrolled",
        InProgress = "in_progress",
        Completed = "completed",
    }
}

crate::text_enum! {
    /// A course item's kind.
    pub enum ItemKind {
        Lesson = "lesson",
        Quiz = "quiz",
    }
}

crate::text_enum! {
    /// An item's state for a learner, as [`crate::learning::progress::ItemProgress`] shows it.
    pub enum ItemStatus {
        Done = "done",
        Started = "started",
        NotStarted = "not_started",
    }
}

impl From<EnrollmentStatus> for CourseStatus {
    fn from(s: EnrollmentStatus) -> Self {
        match s {
            EnrollmentStatus::InProgress => CourseStatus::InProgress,
            EnrollmentStatus::Completed => CourseStatus::Completed,
        }
    }
}

crate::text_enum! {
    /// An attempt's state (`quiz_attempts.status`): answers are saved while it is open, and it is
    /// graded once submitted (by the learner, or when its time runs out).
    pub enum AttemptStatus {
        Open = "open",
        Submitted = "submitted",
    }
}

crate::text_enum! {
    /// A question's type (the `type` of a question file).
    pub enum QuestionKind {
        Single = "single",
        Multiple = "multiple",
        TrueFalse = "true_false",
        ShortText = "short_text",
        Ordering = "ordering",
        Matching = "matching",
    }
}

crate::text_enum! {
    /// When a submitted attempt shows the correct answers and explanations (a quiz's
    /// `show_answers`); `never` withholds even per-question correctness.
    pub enum ShowAnswers {
        Never = "never",
        AfterAttempt = "after_attempt",
        AfterPass = "after_pass",
        AfterLastAttempt = "after_last_attempt",
    }
}

crate::text_enum! {
    /// What a certificate is for (`certificates.kind`).
    pub enum CertificateKind {
        Course = "course",
        Program = "program",
    }
}

crate::text_enum! {
    /// A locality's level (`localities.kind`): a province holds communes, a commune villages.
    pub enum LocalityKind {
        Province = "province",
        Commune = "commune",
        Village = "village",
    }
}

impl LocalityKind {
    /// The kind of the localities this one holds, if any.
    pub fn child(self) -> Option<LocalityKind> {
        match self {
            LocalityKind::Province => Some(LocalityKind::Commune),
            LocalityKind::Commune => Some(LocalityKind::Village),
            LocalityKind::Village => None,
        }
    }
}

crate::text_enum! {
    /// A resident's e-identity (VNeID) level (`learner_profiles.eid_status`,
    /// `village_links.eid_status`).
    pub enum EidStatus {
        None = "none",
        Level1 = "level1",
        Level2 = "level2",
    }
}

crate::text_enum! {
    /// How a person gave their consent to the privacy notice (`consents.way`): online (they
    /// registered or accepted it themselves), or before the facilitator who registered them, on
    /// a signed paper form or in person.
    pub enum ConsentWay {
        Online = "online",
        Paper = "paper",
        InPerson = "in_person",
    }
}

crate::text_enum! {
    /// What of a person's data a facilitator or an admin read (`access_records.what`; issue 21,
    /// item 7): their profile, their progress in courses, their account (contact data, roles),
    /// their certificates, the audit trail of what staff did for them.
    pub enum ReadKind {
        Profile = "profile",
        Progress = "progress",
        Account = "account",
        Certificates = "certificates",
        Audit = "audit",
    }
}

crate::text_enum! {
    /// In which role staff read a person's data (`access_records.actor_role`).
    pub enum ReaderRole {
        Facilitator = "facilitator",
        Admin = "admin",
    }
}

crate::text_enum! {
    /// A personal data export's state (`exports.status`): pending until a worker builds it
    /// (building), then ready (its file stored) or failed.
    pub enum ExportStatus {
        Pending = "pending",
        Building = "building",
        Ready = "ready",
        Failed = "failed",
    }
}

crate::text_enum! {
    /// An outbox mail's state (`mail_outbox.status`): pending until sent, or failed for good.
    pub enum MailStatus {
        Pending = "pending",
        Sent = "sent",
        Failed = "failed",
    }
}

crate::text_enum! {
    /// What an outbox mail is (`mail_outbox.kind`).
    pub enum MailKind {
        VerifyEmail = "verify_email",
        ResetPassword = "reset_password",
        CourseCompleted = "course_completed",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lists_of_allowed_names_are_the_enums_names() {
        fn names<T: Copy>(all: &[T], as_str: fn(T) -> &'static str) -> Vec<&'static str> {
            all.iter().map(|&v| as_str(v)).collect()
        }
        assert_eq!(
            names(LocalityKind::ALL, LocalityKind::as_str),
            crate::community::KINDS
        );
        assert_eq!(
            names(EidStatus::ALL, EidStatus::as_str),
            crate::community::EID_STATUSES
        );
        for &k in MailKind::ALL {
            assert_eq!(MailKind::parse(k.as_str()), Some(k));
        }
        for &s in MailStatus::ALL {
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
        assert_eq!(LocalityKind::Province.child(), Some(LocalityKind::Commune));
        assert_eq!(LocalityKind::Village.child(), None);
    }
}
