"""`verify` as a job of the serve process (docs/decisions/0025): the audit page and `POST /api/verify`
start it and read its progress while a thread checks the log, so no request waits seconds for the
answer. One job at a time per store (by its database URL): asking again for the same check while it
runs joins it; asking another is refused (VerifyBusy). The last KEPT jobs are kept to be read, in
this process only (a restart forgets them: they changed nothing)."""

import logging
import threading
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime, timezone

from entrypoints.documents import Documents

KEPT = 20
log = logging.getLogger(__name__)
_guard = threading.Lock()
_running: dict[str, "VerifyJob"] = {}  # database URL -> its running job


class VerifyBusy(Exception):
    """Another check of this store is running; `running` is it."""

    def __init__(self, running: "VerifyJob"):
        super().__init__(f"a verify of this store is running (job {running.id})")
        self.running = running


@dataclass
class VerifyJob:
    order_no: str | None  # None: the whole log
    head: int  # the log's last position when the job began: what "done" is measured against
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    started_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    state: str = "running"  # running, done, failed
    events: int = 0  # events checked so far
    position: int = 0  # the position of the last one
    report: dict | None = None  # when done: Documents.verify's (or verify_order's) answer
    seconds: float | None = None

    def progressed(self, events: int, position: int) -> None:
        self.events, self.position = events, position

    @property
    def share(self) -> float:
        """How far the job is, 0..1 (by position: positions may have gaps, events are not counted first)."""
        if self.state != "running":
            return 1.0
        return min(1.0, self.position / self.head) if self.head else 0.0

    def as_json(self) -> dict:
        return {"id": self.id, "order_no": self.order_no, "state": self.state, "events": self.events,
                "position": self.position, "head": self.head, "share": round(self.share, 4),
                "started_at": self.started_at.isoformat(), "seconds": self.seconds, "report": self.report}


class VerifyJobs:
    """The serve process's verify jobs over one store (`app.state.verify_jobs`)."""

    def __init__(self, documents: Documents):
        self.documents = documents
        self.store = documents.settings.database_url
        self._jobs: OrderedDict[str, VerifyJob] = OrderedDict()

    def start(self, order_no: str | None = None) -> VerifyJob:
        """A new job (or the running one when it is the same check); VerifyBusy for another check.
        A key file that is broken is said at once (KeyMissing: 503), not by the job."""
        self.documents.verify_keys()
        with _guard:
            running = _running.get(self.store)
            if running is not None:
                if running.order_no == order_no and running.id in self._jobs:
                    return running
                raise VerifyBusy(running)
            head = 1 if order_no else (self.documents.app.recorder.max_notification_id() or 0)
            job = VerifyJob(order_no, head)
            _running[self.store] = job
            self._jobs[job.id] = job
            while len(self._jobs) > KEPT:
                self._jobs.popitem(last=False)
        threading.Thread(target=self._run, args=(job,), name=f"verify-{job.id[:8]}", daemon=True).start()
        return job

    def get(self, job_id: str) -> VerifyJob | None:
        return self._jobs.get(job_id)

    def _run(self, job: VerifyJob) -> None:
        began = time.perf_counter()
        try:
            if job.order_no is not None:
                job.report = self.documents.verify_order(job.order_no)
                job.progressed(job.report["events"], 1)
            else:
                job.report = self.documents.verify(progress=job.progressed)
            job.state = "done"
        except Exception:  # the database or a key file failed: said on the page, logged for the operator
            log.exception("verify job %s failed", job.id)
            job.state = "failed"
        finally:
            job.seconds = round(time.perf_counter() - began, 2)
            with _guard:
                _running.pop(self.store, None)
