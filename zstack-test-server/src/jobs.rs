//! Async jobs: the `202` + `location` answer and `GET /v1/api-jobs/<id>` polls.

use std::collections::HashMap;
use std::sync::Mutex;

use serde_json::{Value, json};

use super::reply::{Answer, JobOutcome};

/// Where the MN says the job can be polled: deliberately a foreign host that
/// a correct client never contacts (it polls its own base URL instead).
pub const FOREIGN_JOB_PREFIX: &str = "http://10.0.0.99:8080/zstack/v1/api-jobs/";

/// The `apiTimeout` (milliseconds) of every `202` answer.
pub const API_TIMEOUT_MS: u64 = 1_800_000;

struct Job {
    polls_left: u32,
    outcome: JobOutcome,
}

#[derive(Default)]
pub(crate) struct Jobs(Mutex<HashMap<String, Job>>);

impl Jobs {
    pub(crate) fn contains(&self, id: &str) -> bool {
        super::lock(&self.0).contains_key(id)
    }

    /// Stores a job and returns the MN's `202` answer for it.
    pub(crate) fn start(&self, id: &str, polls: u32, outcome: JobOutcome) -> Answer {
        super::lock(&self.0).insert(id.to_string(), Job { polls_left: polls, outcome });
        let body = json!({ "location": format!("{FOREIGN_JOB_PREFIX}{id}"), "apiTimeout": API_TIMEOUT_MS });
        Answer::json(202, &body)
    }

    /// Forgets a job: later polls answer `404` "the job has been expired".
    pub(crate) fn expire(&self, id: &str) {
        super::lock(&self.0).remove(id);
    }

    /// Answers one poll of the job `id`.
    pub(crate) fn poll(&self, id: &str) -> Answer {
        let mut jobs = super::lock(&self.0);
        let Some(job) = jobs.get_mut(id) else {
            return expired();
        };
        if job.polls_left > 0 {
            job.polls_left -= 1;
            return running();
        }
        match &job.outcome {
            JobOutcome::Done(result) => Answer::json(200, result),
            JobOutcome::Failed(error) => Answer::json(503, &json!({ "error": error })),
            JobOutcome::Expire => expired(),
            JobOutcome::Never => running(),
        }
    }
}

fn running() -> Answer {
    Answer::json(202, &Value::Object(Default::default()))
}

fn expired() -> Answer {
    Answer::text(404, "the job has been expired")
}

/// Answers a request to `/v1/api-jobs...` (already known to be under it).
pub(crate) fn handle_poll(jobs: &Jobs, method: &str, path: &str) -> Answer {
    if method != "GET" {
        return Answer::text(405, format!("the method {method} is not allowed on {path}"));
    }
    match path.strip_prefix("/v1/api-jobs/") {
        Some(id) if !id.is_empty() && !id.contains('/') => jobs.poll(id),
        _ => Answer::text(404, format!("no api mapping to {path}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn job_lifecycle() {
        let jobs = Jobs::default();
        let first = jobs.start("j1", 2, JobOutcome::Done(json!({"inventory": {}})));
        assert_eq!(first.status, 202);
        assert!(first.body.contains("10.0.0.99:8080/zstack/v1/api-jobs/j1"));
        assert_eq!(jobs.poll("j1"), running());
        assert_eq!(jobs.poll("j1"), running());
        assert_eq!(jobs.poll("j1").status, 200);
        assert_eq!(jobs.poll("j1").status, 200, "results stay available");
        assert_eq!(jobs.poll("nope"), expired());
        jobs.expire("j1");
        assert_eq!(jobs.poll("j1"), expired());
        assert_eq!(handle_poll(&jobs, "POST", "/v1/api-jobs/j1").status, 405);
        assert_eq!(handle_poll(&jobs, "GET", "/v1/api-jobs").status, 404);
    }
}
