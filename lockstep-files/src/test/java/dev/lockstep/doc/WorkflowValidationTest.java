package dev.lockstep.doc;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every validation error, with its exact line number and message. */
class WorkflowValidationTest {
  /** The example; line numbers below refer to it. */
  static final String VALID =
      """
      # Workflow: Ingest docs
      **Workflow ID:** wf_1
      **Status:** Wave 2/5
      **Revision:** 7
      **Started:** 2026-01-21T10:00:00Z
      **Updated:** 2026-01-21T10:05:00Z

      ## Completed
      - [x] fetch sources
      ## Current Wave
      - [~] parse pages
      - [ ] index pages
      ## Pending Waves
      ### Wave 3
      - [ ] summarize
      ## Notes
      - 2026-01-21T10:04:00Z retrying parse after timeout
      """;

  static List<String> problems(String doc) {
    return problems(doc.getBytes(UTF_8));
  }

  static List<String> problems(byte[] doc) {
    InvalidDocumentException e =
        assertThrows(
            InvalidDocumentException.class, () -> Workflow.codec().decode(doc, "STATE.md"));
    assertEquals("STATE.md", e.source());
    for (InvalidDocumentException.Problem p : e.problems()) {
      assertTrue(e.getMessage().contains(p.describe("STATE.md")), e.getMessage());
    }
    return e.problems().stream().map(p -> p.describe("STATE.md")).toList();
  }

  /** {@link #VALID} with line {@code number} (1-based) replaced by {@code text}, or removed. */
  static String replaceLine(int number, String text) {
    List<String> lines = new java.util.ArrayList<>(VALID.lines().toList());
    if (text == null) {
      lines.remove(number - 1);
    } else {
      lines.set(number - 1, text);
    }
    return String.join("\n", lines) + "\n";
  }

  static String removeLines(int... numbers) {
    List<String> lines = new java.util.ArrayList<>(VALID.lines().toList());
    for (int i = numbers.length - 1; i >= 0; i--) {
      lines.remove(numbers[i] - 1);
    }
    return String.join("\n", lines) + "\n";
  }

  @Test
  void theBaseDocumentIsValid() {
    assertEquals(7, Workflow.codec().decode(VALID.getBytes(UTF_8), "STATE.md").revision());
  }

  @Test
  void missingWorkflowHeader() {
    assertEquals(
        List.of("STATE.md:1: missing header \"# Workflow: <title>\": it must come first"),
        problems(removeLines(1)));
    assertEquals(
        List.of("STATE.md:1: bad header \"# Flow: Ingest docs\": expected \"# Workflow: <title>\""),
        problems(replaceLine(1, "# Flow: Ingest docs")));
    assertEquals(
        List.of("STATE.md:1: bad header \"# Workflow:\": expected \"# Workflow: <title>\""),
        problems(replaceLine(1, "# Workflow:")));
    assertEquals(
        List.of("STATE.md:1: the workflow's title is empty"),
        problems(replaceLine(1, "# Workflow:    ")));
  }

  @Test
  void missingWorkflowId() {
    // the Status line, where the id belongs, is line 2 once the id line is gone
    assertEquals(
        List.of("STATE.md:2: missing \"**Workflow ID:** <value>\" line in the header"),
        problems(removeLines(2)));
    assertEquals(
        List.of("STATE.md:2: bad workflow id \"wf 1\": it contains whitespace"),
        problems(replaceLine(2, "**Workflow ID:** wf 1")));
    assertEquals(
        List.of("STATE.md:2: expected \"**Workflow ID:** <value>\": one space, then the value"),
        problems(replaceLine(2, "**Workflow ID:**wf_1")));
    assertEquals(
        List.of("STATE.md:2: expected \"**Workflow ID:** <value>\": one space, then the value"),
        problems(replaceLine(2, "**Workflow ID:**   ")));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '\'',
      value = {
        "Wave 2 of 5 | expected \"Wave <current>/<total>\" such as \"Wave 2/5\"",
        "wave 2/5    | expected \"Wave <current>/<total>\" such as \"Wave 2/5\"",
        "Wave 02/5   | expected \"Wave <current>/<total>\" such as \"Wave 2/5\"",
        "Wave 2/5/7  | expected \"Wave <current>/<total>\" such as \"Wave 2/5\"",
        "Done        | expected \"Wave <current>/<total>\" such as \"Wave 2/5\"",
        "Wave 6/5    | the current wave 6 is past the total 5",
        "Wave 0/5    | waves are numbered from 1",
        "Wave 0/0    | waves are numbered from 1",
      })
  void badStatusLine(String status, String why) {
    assertEquals(
        List.of("STATE.md:3: bad status \"" + status + "\": " + why),
        problems(replaceLine(3, "**Status:** " + status)));
  }

  @Test
  void statusWithTrailingSpaceIsBad() {
    assertEquals(
        List.of(
            "STATE.md:3: bad status \"Wave 2/5 \": expected \"Wave <current>/<total>\" such as"
                + " \"Wave 2/5\""),
        problems(replaceLine(3, "**Status:** Wave 2/5 ")));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '\'',
      value = {
        "- [y] parse pages  | bad checkbox \"[y]\": expected [ ], [~] or [x]",
        "- [X] parse pages  | bad checkbox \"[X]\": expected [ ], [~] or [x]",
        "- [!] parse pages  | bad checkbox \"[!]\": expected [ ], [~] or [x]",
        "- [] parse pages   | bad checkbox \"[]\": expected [ ], [~] or [x]",
        "- [xx] parse pages | bad checkbox \"[xx]\": expected [ ], [~] or [x]",
        "- [ parse pages    | bad checkbox \"[ parse pages\": expected [ ], [~] or [x]",
        "- [~]parse pages   | expected one space and the task's text after [~]",
        "- [~]              | expected one space and the task's text after [~]",
        "- parse pages      | unexpected line \"- parse pages\" under \"## Current Wave\": expected"
            + " \"- [ ] <task>\", \"- [~] <task>\" or \"- [x] <task>\"",
        "* [~] parse pages  | unexpected line \"* [~] parse pages\" under \"## Current Wave\":"
            + " expected \"- [ ] <task>\", \"- [~] <task>\" or \"- [x] <task>\"",
      })
  void badCheckbox(String line, String message) {
    assertEquals(List.of("STATE.md:11: " + message), problems(replaceLine(11, line)));
  }

  @Test
  void taskWithoutText() {
    assertEquals(
        List.of("STATE.md:11: the task's text is empty"), problems(replaceLine(11, "- [~]   ")));
  }

  @Test
  void tasksInTheWrongStateForTheirSection() {
    assertEquals(
        List.of("STATE.md:9: task [~] under \"## Completed\": tasks there must be [x]"),
        problems(replaceLine(9, "- [~] fetch sources")));
    assertEquals(
        List.of("STATE.md:15: task [x] under \"## Pending Waves\": tasks there must be [ ]"),
        problems(replaceLine(15, "- [x] summarize")));
    assertEquals(
        List.of(
            "STATE.md:9: unexpected line \"fetched\" under \"## Completed\": expected \"- [x]"
                + " <task>\""),
        problems(replaceLine(9, "fetched")));
  }

  @Test
  void missingTimestamps() {
    assertEquals(
        List.of("STATE.md:5: missing \"**Started:** <value>\" line in the header"),
        problems(removeLines(5)));
    assertEquals(
        List.of("STATE.md:7: missing \"**Updated:** <value>\" line in the header"),
        problems(removeLines(6)));
    // both gone: both belong before "## Completed", now line 6
    assertEquals(
        List.of(
            "STATE.md:6: missing \"**Started:** <value>\" line in the header",
            "STATE.md:6: missing \"**Updated:** <value>\" line in the header"),
        problems(removeLines(5, 6)));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '\'',
      value = {
        "2026-01-21 10:00:00       | expected an ISO-8601 instant in UTC such as 2026-01-21T10:00:00Z",
        "2026-01-21T10:00:00       | expected an ISO-8601 instant in UTC such as 2026-01-21T10:00:00Z",
        "yesterday                 | expected an ISO-8601 instant in UTC such as 2026-01-21T10:00:00Z",
        "2026-01-21T10:00:00+00:00 | write it as 2026-01-21T10:00:00Z (UTC, 'Z', fractions of a"
            + " second in groups of 3 digits)",
        "2026-01-21T12:00:00+02:00 | write it as 2026-01-21T10:00:00Z (UTC, 'Z', fractions of a"
            + " second in groups of 3 digits)",
        "2026-01-21T10:00:00.5Z    | write it as 2026-01-21T10:00:00.500Z (UTC, 'Z', fractions of"
            + " a second in groups of 3 digits)",
      })
  void badTimestamps(String value, String why) {
    assertEquals(
        List.of("STATE.md:5: bad Started timestamp \"" + value + "\": " + why),
        problems(replaceLine(5, "**Started:** " + value)));
    assertEquals(
        List.of("STATE.md:6: bad Updated timestamp \"" + value + "\": " + why),
        problems(replaceLine(6, "**Updated:** " + value)));
  }

  @Test
  void missingSections() {
    assertEquals(List.of("STATE.md: missing section \"## Notes\""), problems(removeLines(16, 17)));
    // without its heading, Completed's task is read as part of the header
    assertEquals(
        List.of(
            "STATE.md:8: unexpected line \"- [x] fetch sources\" in the header: expected"
                + " \"**<Field>:** <value>\" or \"## Completed\"",
            "STATE.md:9: missing section \"## Completed\""),
        problems(removeLines(8)));
    assertEquals(
        List.of("STATE.md:10: missing section \"## Current Wave\""),
        problems(removeLines(10, 11, 12)));
    // without its heading, the wave heading lands under Current Wave
    assertEquals(
        List.of(
            "STATE.md:13: unexpected line \"### Wave 3\" under \"## Current Wave\": expected"
                + " \"- [ ] <task>\", \"- [~] <task>\" or \"- [x] <task>\"",
            "STATE.md:15: missing section \"## Pending Waves\""),
        problems(removeLines(13)));
  }

  @Test
  void unknownDuplicateAndMisplacedSections() {
    assertEquals(
        List.of( // whole-document problems (line 0) come first
            "STATE.md: missing section \"## Notes\"",
            "STATE.md:16: unknown section \"## Blockers\": expected \"## Completed\", \"## Current"
                + " Wave\", \"## Pending Waves\", \"## Notes\""),
        problems(replaceLine(16, "## Blockers")));
    assertEquals(
        List.of("STATE.md:18: duplicate section \"## Notes\" (first on line 16)"),
        problems(VALID + "## Notes\n"));
    String swapped =
        VALID.replace("## Pending Waves\n### Wave 3\n- [ ] summarize\n", "") + "## Pending Waves\n";
    assertEquals(
        List.of(
            "STATE.md:15: section \"## Pending Waves\" out of order: expected \"## Completed\","
                + " \"## Current Wave\", \"## Pending Waves\", \"## Notes\" in that order"),
        problems(swapped));
    assertEquals(
        List.of(
            "STATE.md:8: unexpected line \"# Completed\": expected \"## Completed\"",
            "STATE.md:10: missing section \"## Completed\""),
        problems(replaceLine(8, "# Completed")));
  }

  @Test
  void pendingWaves() {
    assertEquals(
        List.of("STATE.md:14: task outside a wave: expected a \"### <wave name>\" line before it"),
        problems(removeLines(14)));
    assertEquals(
        List.of("STATE.md:14: the wave's name is empty: expected \"### <wave name>\""),
        problems(replaceLine(14, "###  ")));
    assertEquals(
        List.of("STATE.md:14: bad wave heading \"#### Wave 3\": expected \"### <wave name>\""),
        problems(replaceLine(14, "#### Wave 3")));
    assertEquals(
        List.of("STATE.md:14: bad wave heading \"###Wave 3\": expected \"### <wave name>\""),
        problems(replaceLine(14, "###Wave 3")));
  }

  @Test
  void badNotes() {
    String expected =
        ": expected \"- <instant> <text>\" such as \"- 2026-01-21T10:04:00Z retrying\"";
    assertEquals(
        List.of("STATE.md:17: bad note \"- retrying\"" + expected),
        problems(replaceLine(17, "- retrying")));
    assertEquals(
        List.of("STATE.md:17: bad note \"- 2026-01-21T10:04:00Z\"" + expected),
        problems(replaceLine(17, "- 2026-01-21T10:04:00Z")));
    assertEquals(
        List.of("STATE.md:17: bad note \"retrying parse\"" + expected),
        problems(replaceLine(17, "retrying parse")));
    assertEquals(
        List.of(
            "STATE.md:17: bad note timestamp \"yesterday\": expected an ISO-8601 instant in UTC"
                + " such as 2026-01-21T10:00:00Z"),
        problems(replaceLine(17, "- yesterday retrying")));
    assertEquals(
        List.of("STATE.md:17: the note's text is empty"),
        problems(replaceLine(17, "- 2026-01-21T10:04:00Z    ")));
  }

  @Test
  void headerFields() {
    assertEquals(
        List.of(
            "STATE.md:4: unknown field \"**Owner:**\": expected Workflow ID, Status, Revision,"
                + " Started or Updated"),
        problems(replaceLine(4, "**Owner:** agent-7")));
    assertEquals(
        List.of("STATE.md:4: duplicate \"**Status:**\" (first on line 3)"),
        problems(replaceLine(4, "**Status:** Wave 3/5")));
    assertEquals(
        List.of(
            "STATE.md:6: \"**Started:**\" out of order: the header fields go Workflow ID, Status,"
                + " Revision (optional), Started, Updated"),
        problems(
            VALID.replace(
                "**Started:** 2026-01-21T10:00:00Z\n**Updated:** 2026-01-21T10:05:00Z",
                "**Updated:** 2026-01-21T10:05:00Z\n**Started:** 2026-01-21T10:00:00Z")));
    assertEquals(
        List.of(
            "STATE.md:4: unexpected line \"Revision: 7\" in the header: expected \"**<Field>:**"
                + " <value>\" or \"## Completed\""),
        problems(replaceLine(4, "Revision: 7")));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '\'',
      value = {
        "0                    | bad revision 0: a document without a revision has no"
            + " \"**Revision:**\" line; a written revision is 1 or more",
        "007                  | bad revision \"007\": write it without leading zeros",
        "-1                   | bad revision \"-1\": expected a positive whole number",
        "seven                | bad revision \"seven\": expected a positive whole number",
        "9223372036854775808  | bad revision \"9223372036854775808\": larger than"
            + " 9223372036854775807",
      })
  void badRevision(String value, String message) {
    assertEquals(
        List.of("STATE.md:4: " + message), problems(replaceLine(4, "**Revision:** " + value)));
  }

  @Test
  void encodingAndLineEndings() {
    byte[] broken = VALID.getBytes(UTF_8);
    int at = VALID.indexOf("parse pages") + 1; // VALID is ASCII: char index = byte offset
    broken[at] = (byte) 0xe9; // ISO-8859-1 é, followed by 'r': not UTF-8
    assertEquals(
        List.of("STATE.md:11: not UTF-8: byte 0xe9 at offset " + at + " cannot be decoded"),
        problems(broken));
    assertEquals(
        List.of(
            "STATE.md:1: the file starts with a byte order mark (U+FEFF): save it as UTF-8"
                + " without one"),
        problems("\uFEFF" + VALID));
    String crlf = VALID.replace("\n", "\r\n");
    assertEquals(
        List.of(
            "STATE.md:12: line ends with \\n but line 1 ends with \\r\\n: use one kind of line"
                + " ending"),
        problems(crlf.replace("- [ ] index pages\r\n", "- [ ] index pages\n")));
    assertEquals(
        List.of(
            "STATE.md:12: line ends with \\r\\n but line 1 ends with \\n: use one kind of line"
                + " ending"),
        problems(VALID.replace("- [ ] index pages\n", "- [ ] index pages\r\n")));
    assertEquals(
        List.of("STATE.md:12: carriage return (\\r) that does not end a line"),
        problems(VALID.replace("- [ ] index pages\n", "- [ ] index\rpages\n")));
    assertEquals(
        List.of("STATE.md:17: carriage return (\\r) that does not end a line"),
        problems(VALID.stripTrailing() + "\r"));
  }

  @Test
  void aFileThatIsNoWorkflowAtAll() {
    assertEquals(
        List.of(
            "STATE.md: missing \"**Workflow ID:** <value>\" line in the header",
            "STATE.md: missing \"**Status:** <value>\" line in the header",
            "STATE.md: missing \"**Started:** <value>\" line in the header",
            "STATE.md: missing \"**Updated:** <value>\" line in the header",
            "STATE.md: missing section \"## Completed\"",
            "STATE.md: missing section \"## Current Wave\"",
            "STATE.md: missing section \"## Pending Waves\"",
            "STATE.md: missing section \"## Notes\"",
            "STATE.md:1: missing header \"# Workflow: <title>\": it must come first"),
        problems("Hello, world\n"));
  }

  @Test
  void atMostAHundredProblemsAreListed() {
    String doc = VALID.replace("- [ ] index pages\n", "- [y] index pages\n".repeat(150));
    List<String> problems = problems(doc);
    assertEquals(101, problems.size());
    assertEquals("STATE.md:12: bad checkbox \"[y]\": expected [ ], [~] or [x]", problems.get(0));
    assertEquals("STATE.md:112: and 50 more problems from this line on", problems.get(100));
  }

  @Test
  void emptyDocuments() {
    String expected = "STATE.md:1: the document is empty: expected \"# Workflow: <title>\"";
    assertEquals(List.of(expected), problems(""));
    assertEquals(List.of(expected), problems("\n \n\t\n"));
  }

  @Test
  void allProblemsAreReportedTogetherInLineOrder() {
    String doc =
        VALID
            .replace("**Workflow ID:** wf_1\n", "")
            .replace("Wave 2/5", "Wave 2 of 5")
            .replace("- [~] parse pages", "- [?] parse pages")
            .replace("**Updated:** 2026-01-21T10:05:00Z", "**Updated:** soon")
            .replace("## Notes\n- 2026-01-21T10:04:00Z retrying parse after timeout\n", "");
    List<String> problems = problems(doc);
    assertEquals(
        List.of(
            "STATE.md: missing section \"## Notes\"",
            "STATE.md:2: missing \"**Workflow ID:** <value>\" line in the header",
            "STATE.md:2: bad status \"Wave 2 of 5\": expected \"Wave <current>/<total>\" such as"
                + " \"Wave 2/5\"",
            "STATE.md:5: bad Updated timestamp \"soon\": expected an ISO-8601 instant in UTC such"
                + " as 2026-01-21T10:00:00Z",
            "STATE.md:10: bad checkbox \"[?]\": expected [ ], [~] or [x]"),
        problems);
  }
}
