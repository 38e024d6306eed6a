//! Problem+json for the answers the HTTP layer writes itself.
//!
//! actix-http answers a request it cannot parse (400), one whose head is too large (431) and one
//! whose head does not arrive in time (408) without calling the application, with an empty body,
//! and then closes the connection. [`ProblemStream`] wraps each connection's socket and, when the
//! bytes written end with such an answer (status line, `content-length: 0`, no content type:
//! every answer of the application has a body and a type), writes it as a problem document
//! instead, with a stable `code`: `malformed_request`, `request_timeout`,
//! `request_header_fields_too_large`.

use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use actix_web::http::StatusCode;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use crate::error::{ApiError, Code};
use crate::i18n::Lang;

/// A connection's socket whose HTTP-layer error answers are rewritten as problems.
pub struct ProblemStream<T> {
    io: T,
    /// A rewritten answer still to be written, and how much of it is written.
    pending: Vec<u8>,
    written: usize,
}

impl<T> ProblemStream<T> {
    pub fn new(io: T) -> Self {
        Self {
            io,
            pending: Vec::new(),
            written: 0,
        }
    }
}

impl<T: AsyncWrite + Unpin> ProblemStream<T> {
    fn drain(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.written < self.pending.len() {
            let n = ready!(Pin::new(&mut self.io).poll_write(cx, &self.pending[self.written..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.written += n;
        }
        self.pending.clear();
        self.written = 0;
        Poll::Ready(Ok(()))
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for ProblemStream<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for ProblemStream<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        ready!(this.drain(cx))?;
        if let Some(rewritten) = rewrite_error_answer(buf) {
            this.pending = rewritten;
            // Taken whole; what the socket does not take now goes at the next write or flush.
            if let Poll::Ready(Err(e)) = this.drain(cx) {
                return Poll::Ready(Err(e));
            }
            return Poll::Ready(Ok(buf.len()));
        }
        Pin::new(&mut this.io).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.drain(cx))?;
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.drain(cx))?;
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}

/// The longest head actix-http writes for these answers (status line, `content-length`,
/// `connection`, `date`), with room to spare.
const HEAD_MAX: usize = 256;

/// When `buf` ends with an empty-bodied 400, 408 or 431 answer, `buf` with that answer given a
/// problem body.
fn rewrite_error_answer(buf: &[u8]) -> Option<Vec<u8>> {
    if !buf.ends_with(b"\r\n\r\n") {
        return None;
    }
    let from = buf.len().saturating_sub(HEAD_MAX);
    let start = from + rfind(&buf[from..], b"HTTP/1.")?;
    let head = std::str::from_utf8(&buf[start..]).ok()?;
    let (status, code, detail) = match head.get(9..12)? {
        "400" => (
            StatusCode::BAD_REQUEST,
            Code::MalformedRequest,
            "The request is not well-formed HTTP (request line or headers).",
        ),
        "408" => (
            StatusCode::REQUEST_TIMEOUT,
            Code::RequestTimeout,
            "The request's head did not arrive in time.",
        ),
        "431" => (
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            Code::RequestHeaderFieldsTooLarge,
            "The request's headers are too large.",
        ),
        _ => return None,
    };
    let lines: Vec<&str> = head.trim_end_matches("\r\n").split("\r\n").collect();
    let header = |name: &str| {
        lines[1..]
            .iter()
            .filter_map(|l| l.split_once(':'))
            .find(|(n, _)| n.trim().eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim())
    };
    if header("content-length") != Some("0") || header("content-type").is_some() {
        return None;
    }
    let body =
        serde_json::to_vec(&ApiError::new(status, code, detail).problem(Lang::Vi, None)).ok()?;
    let mut out = Vec::with_capacity(start + HEAD_MAX + body.len());
    out.extend_from_slice(&buf[..start]);
    out.extend_from_slice(lines[0].as_bytes());
    out.extend_from_slice(b"\r\n");
    for line in &lines[1..] {
        let name = line.split(':').next().unwrap_or("").trim();
        if !name.eq_ignore_ascii_case("content-length") {
            out.extend_from_slice(line.as_bytes());
            out.extend_from_slice(b"\r\n");
        }
    }
    out.extend_from_slice(
        format!(
            "content-type: application/problem+json\r\ncontent-language: vi\r\n\
x-content-type-options: nosniff\r\ncontent-length: {}\r\n\r\n",
            body.len()
        )
        .as_bytes(),
    );
    out.extend_from_slice(&body);
    Some(out)
}

fn rfind(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DATE: &str = "date: Sat, 05 Dec 2026 16:49:25 GMT\r\n";

    #[test]
    fn empty_error_answers_become_problems() {
        for (status, code) in [
            ("400 Bad Request", "malformed_request"),
            (
                "431 Request Header Fields Too Large",
                "request_header_fields_too_large",
            ),
            ("408 Request Timeout", "request_timeout"),
        ] {
            let raw = format!(
                "HTTP/1.1 {status}\r\ncontent-length: 0\r\nconnection: close\r\n{DATE}\r\n"
            );
            let out = String::from_utf8(rewrite_error_answer(raw.as_bytes()).unwrap()).unwrap();
            let (head, body) = out.split_once("\r\n\r\n").unwrap();
            assert!(
                head.starts_with(&format!("HTTP/1.1 {status}\r\n")),
                "{head}"
            );
            assert!(head.contains("connection: close") && head.contains(DATE.trim_end()));
            assert!(head.contains("content-type: application/problem+json"));
            assert!(head.contains(&format!("content-length: {}", body.len())));
            assert!(!head.contains("content-length: 0"));
            let problem: serde_json::Value = serde_json::from_str(body).unwrap();
            assert_eq!(problem["code"], code);
            assert_eq!(
                problem["status"].as_u64().unwrap(),
                status[..3].parse::<u64>().unwrap()
            );
        }
    }

    #[test]
    fn an_answer_after_earlier_ones_is_rewritten_alone() {
        let earlier =
            "HTTP/1.1 200 OK\r\ncontent-length: 2\r\ncontent-type: application/json\r\n\r\n{}";
        let raw = format!("{earlier}HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\n{DATE}\r\n");
        let out = String::from_utf8(rewrite_error_answer(raw.as_bytes()).unwrap()).unwrap();
        assert!(out.starts_with(earlier));
        assert!(out.ends_with('}'));
    }

    #[test]
    fn the_applications_answers_are_left_alone() {
        for raw in [
            // A problem the application wrote: it has a type and a body.
            "HTTP/1.1 400 Bad Request\r\ncontent-length: 10\r\ncontent-type: application/problem+json\r\n\r\n",
            "HTTP/1.1 204 No Content\r\n\r\n",
            "HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n",
            "{\"items\":[]}",
        ] {
            assert!(rewrite_error_answer(raw.as_bytes()).is_none(), "{raw}");
        }
    }
}
