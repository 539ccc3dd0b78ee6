"""Verifying as a job (entrypoints/verify_jobs.py, docs/decisions/0025): `POST /api/verify` (202 and the
job; `{"order_no": N}` for one order) and `GET /api/verify/{id}` (its progress, and its report when
done), and the audit page's POST form, which starts the same job and shows it at /audit/verify/{id}: a
<progress> bar that /static/verify-progress.js moves by polling /audit/verify/{id}/progress (the page
session's copy of the API's answer: the API takes only bearer keys), or a refresh without JavaScript.
`GET /api/verify` (the whole log, answered at once) stays as it was."""

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from pydantic import BaseModel, ConfigDict, Field

from entrypoints.access import Capability, NotFound, Principal
from entrypoints.authentication import Visitor, Who
from entrypoints.http_api import error_body
from entrypoints.presentation.verify_findings import grouped
from entrypoints.verify_jobs import VerifyBusy, VerifyJob, VerifyJobs
from entrypoints.web import page

api = APIRouter(prefix="/api")
pages = APIRouter(include_in_schema=False)
JobId = Annotated[str, Path(min_length=32, max_length=32, pattern="^[0-9a-f]{32}$")]
REFRESH_SECONDS = 2  # the page's refresh without JavaScript


class VerifyAsked(BaseModel):
    model_config = ConfigDict(extra="forbid")
    order_no: str | None = Field(default=None, max_length=64, description="One order (default: the whole log)")


def jobs(request: Request) -> VerifyJobs:
    return request.app.state.verify_jobs


def job_of(request: Request, who: Principal, job_id: str) -> VerifyJob:
    who.require(Capability.VERIFY)
    job = jobs(request).get(job_id)
    if job is None:
        raise NotFound("unknown_job", f"no verify job {job_id} (this process keeps the last ones)")
    return job


@api.post("/verify", status_code=202,
          summary="Start verifying the whole log, or one order (`order_no`), as a job; read it at `/api/verify/{id}`")
def start_verify(request: Request, who: Who, asked: VerifyAsked | None = None):
    who.require(Capability.VERIFY)
    try:
        job = jobs(request).start(asked.order_no if asked else None)
    except VerifyBusy as busy:
        return JSONResponse({**error_body("verify_running", str(busy)), "job": busy.running.id}, status_code=409)
    return JSONResponse(job.as_json(), status_code=202, headers={"Location": f"/api/verify/{job.id}"})


@api.get("/verify/{job_id}", summary="A verify job: events checked, the log's head, and when done its report")
def verify_job(request: Request, who: Who, job_id: JobId):
    return job_of(request, who, job_id).as_json()


@pages.post("/audit/verify")
def audit_verify(request: Request, who: Visitor, order: Annotated[str | None, Form(max_length=64)] = None):
    """The whole log, or one order: a POST, so that no link or prefetch starts a pass over the log."""
    who.require(Capability.VERIFY)
    try:
        job = jobs(request).start(order or None)
    except VerifyBusy as busy:  # another check runs: the auditor sees that one
        job = busy.running
    return RedirectResponse(f"/audit/verify/{quote(job.id)}", status_code=303)


@pages.get("/audit/verify/{job_id}", response_class=HTMLResponse)
def audit_verify_job(request: Request, who: Visitor, job_id: JobId):
    job = job_of(request, who, job_id)
    report = job.report
    return page(request, who, "audit_verify.html", job=job.as_json(), groups=grouped(report["findings"]) if report else [],
                refresh=REFRESH_SECONDS if job.state == "running" else None)


@pages.get("/audit/verify/{job_id}/progress")
def audit_verify_progress(request: Request, who: Visitor, job_id: JobId):
    """The page's script reads this: the API's answer, for the page's session."""
    return job_of(request, who, job_id).as_json()
