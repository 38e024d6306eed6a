"""A learner's whole path through the Python client generated from /api/v1/openapi.json
(tests/api-client/run): register, log in, enrol, record progress, pass a quiz, fetch the
certificate and its PDF. Every call goes through the generated, typed functions and models."""

import datetime
import sys
import uuid

from hocso_client import AuthenticatedClient, Client
from hocso_client.api.auth import login, register
from hocso_client.api.privacy import get_notice, my_consents
from hocso_client.api.catalogue import get_course
from hocso_client.api.certificates import certificate_pdf, get_certificate, my_certificates
from hocso_client.api.learning import enroll, my_course_progress, put_progress
from hocso_client.api.quizzes import save_answers, start_attempt, submit_attempt
from hocso_client.models import (
    Answer,
    AttemptResponse,
    CertificateResponse,
    CourseProgress,
    EnrollmentResponse,
    LoginRequest,
    Notice,
    Consents,
    ProgressEvent,
    ProgressEventStatus,
    RegisterRequest,
    SaveAnswersRequest,
    TokenResponse,
    UserResponse,
)
from hocso_client.types import File

BASE = sys.argv[1]
EMAIL = f"hoc.vien.{uuid.uuid4().hex[:8]}@example.vn"
PASSWORD = "mat-khau-rat-dai-1"


def typed(value, kind):
    assert isinstance(value, kind), f"expected {kind.__name__}, got {value!r}"
    return value


public = Client(base_url=BASE, raise_on_unexpected_status=True)
# The privacy notice is read first: registration names the version accepted.
notice = typed(get_notice.sync(client=public, lang="vi"), Notice)
assert "91/2025/QH15" in notice.markdown, notice.markdown
user = typed(
    register.sync(
        client=public,
        body=RegisterRequest(
            display_name="Bác Ba",
            email=EMAIL,
            password=PASSWORD,
            accept_privacy_notice=notice.version,
        ),
    ),
    UserResponse,
)
tokens = typed(
    login.sync(client=public, body=LoginRequest(login=EMAIL, password=PASSWORD)), TokenResponse
)
me = AuthenticatedClient(base_url=BASE, token=tokens.access_token, raise_on_unexpected_status=True)
consents = typed(my_consents.sync(client=me), Consents)
assert consents.to_accept is False and len(consents.consents) == 1, consents
assert consents.consents[0].notice_version == notice.version, consents

course = get_course.sync("mini", client=public)
assert course is not None and course.slug == "mini", course
typed(enroll.sync("mini", client=me), EnrollmentResponse)

now = datetime.datetime.now(datetime.timezone.utc)
for lesson in ["chao-mung", "ma-otp"]:
    progress = typed(
        put_progress.sync(
            "mini",
            lesson,
            client=me,
            body=ProgressEvent(
                client_event_id=uuid.uuid4(),
                occurred_at=now,
                status=ProgressEventStatus.COMPLETED,
                time_spent_seconds=60,
            ),
        ),
        CourseProgress,
    )
assert progress.status == "in_progress", progress  # the quiz is still to pass

# The fixture quiz (tests/fixtures/courses/mini): its right answers, by question type.
ORDER = ["Mở ứng dụng", "Đăng nhập", "Chuyển tiền"]
attempt = typed(start_attempt.sync("mini.kiem-tra", client=me), AttemptResponse)
answers = []
for q in attempt.questions:
    by_text = {o.text: o.id for o in (q.options or [])}  # true_false has none
    if q.type_ == "single":
        answers.append(Answer(question=q.id, choice=by_text["Chỉ mình tôi"]))
    elif q.type_ == "true_false":
        answers.append(Answer(question=q.id, value=True))
    else:
        answers.append(Answer(question=q.id, order=[by_text[t] for t in ORDER]))
typed(save_answers.sync(attempt.id, client=me, body=SaveAnswersRequest(answers=answers)), AttemptResponse)
graded = typed(submit_attempt.sync(attempt.id, client=me), AttemptResponse)
assert graded.result and graded.result.passed, graded.result
assert len(graded.certificates_issued) == 1, graded.certificates_issued

done = typed(my_course_progress.sync("mini", client=me), CourseProgress)
assert done.status == "completed", done

certificates = my_certificates.sync(client=me)
assert isinstance(certificates, list) and len(certificates) == 1, certificates
serial = typed(certificates[0], CertificateResponse).serial
certificate = typed(get_certificate.sync(serial, client=public), CertificateResponse)
assert certificate.status == "valid" and certificate.recipient_name == "Bác Ba", certificate

pdf = typed(certificate_pdf.sync(serial, client=public), File)
data = pdf.payload.read()
assert data.startswith(b"%PDF-"), data[:16]
print(f"learner path through the generated client: {user.id} → certificate {serial}, PDF of {len(data)} bytes")
