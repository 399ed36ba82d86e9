package dev.lockstep.doc;

import static dev.lockstep.doc.MarkdownWorkflowSyntax.FIELDS;
import static dev.lockstep.doc.MarkdownWorkflowSyntax.SECTIONS;

import dev.lockstep.doc.InvalidDocumentException.Problem;
import dev.lockstep.doc.MarkdownWorkflowLines.Line;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses and validates a Markdown workflow document, collecting every problem with its line.
 *
 * <p>Implementation notes: pass one ({@link MarkdownWorkflowLines}) turns bytes into non-blank
 * lines; pass two reads the title, then the header fields up to the first line starting with {@code
 * #}, then the sections, each line by the rules of the section it is under. Problems do not stop
 * the parse, so one exception reports all of them; lines under an unknown, duplicate or misplaced
 * section are checked but not kept. One instance parses one document.
 */
final class MarkdownWorkflowParser {
  private static final String SECTION_LIST =
      "\"## Completed\", \"## Current Wave\", \"## Pending Waves\", \"## Notes\"";

  /** At most this many problems are reported, then one line saying how many more there are. */
  static final int MAX_PROBLEMS = 100;

  private final List<Problem> problems = new ArrayList<>();
  private final MarkdownWorkflowRules rules = new MarkdownWorkflowRules(problems);
  private final Map<String, List<String>> blanks = new HashMap<>();
  private final Map<String, Line> fields = new HashMap<>();
  private final Map<String, Line> sectionLines = new HashMap<>();
  private final List<WorkflowTask> completed = new ArrayList<>();
  private final List<WorkflowTask> current = new ArrayList<>();
  private final List<String> waveNames = new ArrayList<>();
  private final List<List<WorkflowTask>> waveTasks = new ArrayList<>();
  private final List<WorkflowNote> notes = new ArrayList<>();
  private List<Line> lines = List.of();
  private int next;

  /**
   * Parses {@code content}.
   *
   * @throws InvalidDocumentException with every problem found, in line order
   */
  Workflow parse(byte[] content, String source) {
    MarkdownWorkflowLines split = new MarkdownWorkflowLines();
    if (split.split(content, problems)) {
      lines = split.lines;
      if (lines.isEmpty()) {
        problems.add(new Problem(1, "the document is empty: expected \"# Workflow: <title>\""));
      } else {
        Workflow workflow = parse(split);
        if (problems.isEmpty()) {
          return workflow;
        }
      }
    }
    List<Problem> sorted = new ArrayList<>(problems);
    sorted.sort(Comparator.comparingInt(Problem::line));
    if (sorted.size() > MAX_PROBLEMS) {
      Problem first = sorted.get(MAX_PROBLEMS);
      int more = sorted.size() - MAX_PROBLEMS;
      sorted = new ArrayList<>(sorted.subList(0, MAX_PROBLEMS));
      sorted.add(new Problem(first.line(), "and " + more + " more problems from this line on"));
    }
    throw new InvalidDocumentException(source, sorted);
  }

  private Workflow parse(MarkdownWorkflowLines split) {
    String title = title();
    header();
    String id = value(MarkdownWorkflowSyntax.ID, rules::id);
    WorkflowStatus status = value(MarkdownWorkflowSyntax.STATUS, rules::status);
    Long revision = value(MarkdownWorkflowSyntax.REVISION, rules::revision);
    Instant started =
        value(MarkdownWorkflowSyntax.STARTED, (l, v) -> rules.instant(l, "Started", v));
    Instant updated =
        value(MarkdownWorkflowSyntax.UPDATED, (l, v) -> rules.instant(l, "Updated", v));
    sections();
    if (!problems.isEmpty()) {
      return null;
    }
    List<WorkflowWave> pending = new ArrayList<>();
    for (int w = 0; w < waveNames.size(); w++) {
      pending.add(new WorkflowWave(waveNames.get(w), waveTasks.get(w)));
    }
    return new Workflow(
        title,
        id,
        status,
        revision == null ? 0 : revision,
        started,
        updated,
        completed,
        current,
        pending,
        notes,
        new WorkflowLayout(split.lineEnding, split.finalNewline, blanks, split.trailingBlanks));
  }

  private void keep(String key, Line line) {
    blanks.put(key, line.blanksBefore());
  }

  private void problem(Line line, String message) {
    problems.add(new Problem(line.number(), message));
  }

  private String title() {
    Line line = lines.get(0);
    String text = line.text();
    if (!text.startsWith("# ")) {
      problem(line, "missing header \"# Workflow: <title>\": it must come first");
      if (!text.startsWith("**")) {
        next = 1; // not a header field either: reported once, here
      }
      return null;
    }
    next = 1;
    keep(WorkflowLayout.title(), line);
    if (!text.startsWith(MarkdownWorkflowSyntax.TITLE_PREFIX)) {
      problem(
          line, "bad header " + WorkflowText.quote(text) + ": expected \"# Workflow: <title>\"");
      return null;
    }
    String title = text.substring(MarkdownWorkflowSyntax.TITLE_PREFIX.length());
    String textProblem = WorkflowText.lineTextProblem(title);
    if (textProblem != null) {
      problem(line, "the workflow's title " + textProblem);
      return null;
    }
    return title;
  }

  private void header() {
    int lastOrder = -1;
    for (; next < lines.size() && !lines.get(next).text().startsWith("#"); next++) {
      Line line = lines.get(next);
      String text = line.text();
      int close = text.indexOf(":**", 2);
      if (!text.startsWith("**") || close < 0) {
        problem(
            line,
            "unexpected line "
                + WorkflowText.quote(text)
                + " in the header: expected \"**<Field>:** <value>\" or \"## Completed\"");
        continue;
      }
      String name = text.substring(2, close);
      int order = FIELDS.indexOf(name);
      if (order < 0) {
        problem(
            line,
            "unknown field "
                + WorkflowText.quote("**" + name + ":**")
                + ": expected Workflow ID, Status, Revision, Started or Updated");
      } else if (fields.containsKey(name)) {
        problem(
            line,
            "duplicate \"**" + name + ":**\" (first on line " + fields.get(name).number() + ")");
      } else if (order < lastOrder) {
        problem(
            line,
            "\"**"
                + name
                + ":**\" out of order: the header fields go Workflow ID, Status,"
                + " Revision (optional), Started, Updated");
        fields.put(name, line);
      } else {
        lastOrder = order;
        fields.put(name, line);
        keep(WorkflowLayout.field(name), line);
      }
    }
    for (String name : FIELDS) {
      if (!fields.containsKey(name) && !name.equals(MarkdownWorkflowSyntax.REVISION)) {
        problems.add(
            new Problem(
                missingFieldLine(name),
                "missing \"**" + name + ":** <value>\" line in the header"));
      }
    }
  }

  /** Where a missing field belongs: the next present field's line, else the header's end. */
  private int missingFieldLine(String name) {
    for (String later : FIELDS.subList(FIELDS.indexOf(name) + 1, FIELDS.size())) {
      if (fields.containsKey(later)) {
        return fields.get(later).number();
      }
    }
    return next < lines.size() ? lines.get(next).number() : 0;
  }

  private interface ValueRule<T> {
    T check(Line line, String value);
  }

  /** The value of field {@code name} checked by {@code rule}, or null (missing or bad). */
  private <T> T value(String name, ValueRule<T> rule) {
    Line line = fields.get(name);
    if (line == null) {
      return null;
    }
    String rest = line.text().substring(name.length() + 5); // after "**" name ":**"
    if (!rest.startsWith(" ") || rest.isBlank()) {
      problem(line, "expected \"**" + name + ":** <value>\": one space, then the value");
      return null;
    }
    return rule.check(line, rest.substring(1));
  }

  private void sections() {
    int lastOrder = -1;
    String section = null; // where the following lines belong; null before the first section
    boolean keepLines = false;
    for (; next < lines.size(); next++) {
      Line line = lines.get(next);
      String text = line.text();
      if (!text.startsWith(MarkdownWorkflowSyntax.SECTION_PREFIX)) {
        if (section == null) {
          problem(
              line, "unexpected line " + WorkflowText.quote(text) + ": expected \"## Completed\"");
          section = "";
        } else if (!section.isEmpty()) {
          sectionLine(section, line, keepLines);
        }
        continue;
      }
      String name = text.substring(MarkdownWorkflowSyntax.SECTION_PREFIX.length());
      int order = SECTIONS.indexOf(name);
      section = order < 0 ? "" : name;
      keepLines = false;
      if (order < 0) {
        problem(line, "unknown section " + WorkflowText.quote(text) + ": expected " + SECTION_LIST);
      } else if (sectionLines.containsKey(name)) {
        problem(
            line,
            "duplicate section \""
                + text
                + "\" (first on line "
                + sectionLines.get(name).number()
                + ")");
      } else if (order < lastOrder) {
        problem(
            line,
            "section \"" + text + "\" out of order: expected " + SECTION_LIST + " in that order");
        sectionLines.put(name, line);
      } else {
        lastOrder = order;
        keepLines = true;
        sectionLines.put(name, line);
        keep(WorkflowLayout.section(name), line);
      }
    }
    for (String name : SECTIONS) {
      if (!sectionLines.containsKey(name)) {
        problems.add(new Problem(missingSectionLine(name), "missing section \"## " + name + "\""));
      }
    }
  }

  /** Where a missing section belongs: the next present section's heading, else 0 (the end). */
  private int missingSectionLine(String name) {
    for (String later : SECTIONS.subList(SECTIONS.indexOf(name) + 1, SECTIONS.size())) {
      if (sectionLines.containsKey(later)) {
        return sectionLines.get(later).number();
      }
    }
    return 0;
  }

  private void sectionLine(String section, Line line, boolean keepLine) {
    switch (section) {
      case MarkdownWorkflowSyntax.COMPLETED -> {
        WorkflowTask t = rules.task(line, "## Completed", WorkflowTask.State.DONE);
        if (t != null && keepLine) {
          keep(WorkflowLayout.task("completed", completed.size()), line);
          completed.add(t);
        }
      }
      case MarkdownWorkflowSyntax.CURRENT -> {
        WorkflowTask t = rules.task(line, "## Current Wave", null);
        if (t != null && keepLine) {
          keep(WorkflowLayout.task("current", current.size()), line);
          current.add(t);
        }
      }
      case MarkdownWorkflowSyntax.PENDING -> pendingLine(line, keepLine);
      default -> {
        WorkflowNote n = rules.note(line);
        if (n != null && keepLine) {
          keep(WorkflowLayout.note(notes.size()), line);
          notes.add(n);
        }
      }
    }
  }

  private void pendingLine(Line line, boolean keepLine) {
    String text = line.text();
    if (text.startsWith("#")) {
      String name =
          text.substring(Math.min(text.length(), MarkdownWorkflowSyntax.WAVE_PREFIX.length()));
      String nameProblem = WorkflowText.lineTextProblem(name);
      if (!text.startsWith(MarkdownWorkflowSyntax.WAVE_PREFIX)) {
        problem(
            line,
            "bad wave heading " + WorkflowText.quote(text) + ": expected \"### <wave name>\"");
      } else if (nameProblem != null) {
        problem(line, "the wave's name " + nameProblem + ": expected \"### <wave name>\"");
      }
      if (keepLine) { // kept even when bad, so that its tasks are not reported as outside a wave
        keep(WorkflowLayout.wave(waveNames.size()), line);
        waveNames.add(name);
        waveTasks.add(new ArrayList<>());
      }
      return;
    }
    WorkflowTask t = rules.task(line, "## Pending Waves", WorkflowTask.State.PENDING);
    if (t == null || !keepLine) {
      return;
    }
    if (waveNames.isEmpty()) {
      problem(line, "task outside a wave: expected a \"### <wave name>\" line before it");
      return;
    }
    int wave = waveNames.size() - 1;
    keep(WorkflowLayout.task("wave" + wave, waveTasks.get(wave).size()), line);
    waveTasks.get(wave).add(t);
  }
}
