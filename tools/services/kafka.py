"""A single-node Apache Kafka broker (KRaft: broker and controller in one JVM) on 127.0.0.1."""

import base64
import os
import secrets
import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tools.services import CACHE, HOST, ServiceError, free_port, run, wait_until

POM = Path(__file__).with_name("kafka-pom.xml")
LIBS = CACHE / "kafka-libs"

LOG4J2_PROPERTIES = """\
appender.file.type = File
appender.file.name = file
appender.file.fileName = {log}
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = %d %p %c{{1}} %m%n
rootLogger.level = warn
rootLogger.appenderRef.file.ref = file
logger.started.name = kafka.server.KafkaRaftServer
logger.started.level = info
"""


def fetch_jars() -> Path:
    """The broker's runtime jars, copied once from Maven Central into the cache."""
    done = LIBS / ".complete"
    if done.exists():
        return LIBS
    for tool in ("java", "mvn"):
        if shutil.which(tool) is None:
            raise ServiceError(f"`{tool}` is not on PATH: install OpenJDK 17 and Maven to run a local Kafka broker")
    shutil.rmtree(LIBS, ignore_errors=True)
    run([
        "mvn", "-B", "-q", "-f", str(POM),
        "org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies",
        "-DincludeScope=runtime", f"-DoutputDirectory={LIBS}", f"-Dmaven.repo.local={CACHE / 'm2'}",
    ])
    done.touch()
    return LIBS


def _java(workdir: Path) -> list[str]:
    log4j = workdir / "log4j2.properties"
    return ["java", "-Xms256m", "-Xmx512m", f"-Dlog4j2.configurationFile={log4j}", "-cp", f"{fetch_jars()}/*"]


@dataclass
class KafkaBroker:
    """A running broker: its bootstrap address, process and scratch directory."""

    bootstrap: str
    pid: int
    workdir: str
    started_in_s: float = 0.0

    @classmethod
    def start(cls, timeout: float = 120) -> "KafkaBroker":
        workdir = Path(tempfile.mkdtemp(prefix="orderclaims-kafka-"))
        port, controller_port = free_port(), free_port()
        properties = workdir / "server.properties"
        properties.write_text("\n".join([
            "process.roles=broker,controller",
            "node.id=1",
            f"controller.quorum.voters=1@{HOST}:{controller_port}",
            f"listeners=PLAINTEXT://{HOST}:{port},CONTROLLER://{HOST}:{controller_port}",
            f"advertised.listeners=PLAINTEXT://{HOST}:{port}",
            "controller.listener.names=CONTROLLER",
            "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
            f"log.dirs={workdir / 'data'}",
            "offsets.topic.replication.factor=1",
            "offsets.topic.num.partitions=1",
            "transaction.state.log.replication.factor=1",
            "transaction.state.log.min.isr=1",
            "transaction.state.log.num.partitions=1",
            "share.coordinator.state.topic.replication.factor=1",
            "share.coordinator.state.topic.min.isr=1",
            "group.initial.rebalance.delay.ms=0",
            "num.partitions=4",
            "auto.create.topics.enable=true",
            "",
        ]))
        log4j = workdir / "log4j2.properties"
        log4j.write_text(LOG4J2_PROPERTIES.format(log=workdir / "broker.log"))
        cluster_id = "-"
        while cluster_id.startswith("-"):  # an id the format tool would read as an option
            cluster_id = base64.urlsafe_b64encode(secrets.token_bytes(16)).rstrip(b"=").decode()
        run([*_java(workdir), "kafka.tools.StorageTool", "format", "-t", cluster_id, "-c", str(properties)])
        broker = cls(bootstrap=f"{HOST}:{port}", pid=0, workdir=str(workdir))
        broker.started_in_s = broker._launch(timeout)
        return broker

    def _launch(self, timeout: float) -> float:
        """Run the broker of the work directory (formatted already) and wait until it answers."""
        workdir = Path(self.workdir)
        with open(workdir / "stdout.log", "ab") as out:
            process = subprocess.Popen(
                [*_java(workdir), "kafka.Kafka", str(workdir / "server.properties")],
                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
            )
        self.pid = process.pid
        try:
            return wait_until(self.answers, timeout, "the Kafka broker", alive=lambda: process.poll() is None)
        except ServiceError as error:
            self.stop()
            raise ServiceError(f"{error}; its log: {workdir / 'broker.log'}") from None

    def restart(self, kill: bool = False, timeout: float = 120) -> float:
        """Stop the broker (SIGTERM, or SIGKILL: a crash) and start it again on the same port and data."""
        if kill:
            os.killpg(self.pid, signal.SIGKILL)
            wait_until(lambda: not _alive(self.pid), 20, "the broker's end")
        else:
            _terminate(self.pid)
        return self._launch(timeout)

    def answers(self) -> bool:
        from kafka import KafkaAdminClient

        admin = KafkaAdminClient(bootstrap_servers=self.bootstrap, request_timeout_ms=3000, client_id="orderclaims-ready")
        try:
            admin.list_topics()
            return True
        finally:
            admin.close()

    def stop(self) -> None:
        _terminate(self.pid)
        shutil.rmtree(self.workdir, ignore_errors=True)


def _terminate(pid: int, grace: float = 20) -> None:
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        wait_until(lambda: not _alive(pid), grace, "the broker's shutdown")
    except ServiceError:
        os.killpg(pid, signal.SIGKILL)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a child of ours that exited is a zombie until reaped
        done, _ = os.waitpid(pid, os.WNOHANG)
        return done == 0
    except ChildProcessError:
        return True
