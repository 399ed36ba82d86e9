package dev.lockstep.doc;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lockstep.file.AtomicFile;
import dev.lockstep.file.Durability;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Python agent edits the STATE.md that Java wrote the way agents do (string replacement, an
 * appended note, CRLF kept), and Java reads its edits back and renders the file byte for byte.
 */
class WorkflowPythonInteropTest {
  static final Path PYTHON = Path.of("/usr/bin/python3");

  @TempDir Path dir;

  static void python(String script, Path file) throws Exception {
    Process p =
        new ProcessBuilder(PYTHON.toString(), "-c", script, file.toString())
            .redirectErrorStream(true)
            .start();
    try {
      // a bound against a hung interpreter, not a timing assertion
      assertTrue(p.waitFor(60, TimeUnit.SECONDS), "python did not finish");
      String output = new String(p.getInputStream().readAllBytes(), UTF_8);
      assertEquals(0, p.exitValue(), output);
    } finally {
      p.destroyForcibly();
    }
  }

  @Test
  void pythonEditsSurviveAndTheRestIsUntouched() throws Exception {
    assumeTrue(Files.isExecutable(PYTHON), "needs /usr/bin/python3");
    Instant t0 = Instant.parse("2026-01-21T10:00:00Z");
    Workflow start =
        Workflow.create("Ingest docs — 文書", "wf_1", WorkflowStatus.of(1, 2), t0)
            .withRevision(1)
            .withCurrentWave(
                List.of(WorkflowTask.inProgress("fetch sources"), WorkflowTask.pending("parse")))
            .withPendingWaves(List.of(WorkflowWave.of("Wave 2", "summarize")));
    Path file = dir.resolve("STATE.md");
    byte[] crlf =
        new String(Workflow.codec().encode(start), UTF_8).replace("\n", "\r\n").getBytes(UTF_8);
    AtomicFile.write(file, crlf, Durability.NONE);

    String agent =
        String.join(
            "\n",
            "import sys",
            "path = sys.argv[1]",
            "with open(path, encoding='utf-8', newline='') as f:",
            "    text = f.read()",
            "text = text.replace('- [~] fetch sources', '- [x] fetch sources')",
            "text = text.replace('**Updated:** 2026-01-21T10:00:00Z', '**Updated:** 2026-01-21T10:09:00Z')",
            "text += '- 2026-01-21T10:09:00Z fetched 120 pages: ok \\u2705\\r\\n'",
            "with open(path, 'w', encoding='utf-8', newline='') as f:",
            "    f.write(text)");
    python(agent, file);

    byte[] edited = Files.readAllBytes(file);
    Workflow read = Workflow.codec().decode(edited, file.toString());
    assertEquals(
        start
            .markDone("fetch sources")
            .withUpdated(Instant.parse("2026-01-21T10:09:00Z"))
            .addNote(Instant.parse("2026-01-21T10:09:00Z"), "fetched 120 pages: ok ✅"),
        read);
    assertArrayEquals(edited, Workflow.codec().encode(read));
    byte[] bumped = Workflow.codec().encode(read.withRevision(2));
    assertEquals(
        new String(edited, UTF_8).replace("**Revision:** 1\r\n", "**Revision:** 2\r\n"),
        new String(bumped, UTF_8));
  }
}
