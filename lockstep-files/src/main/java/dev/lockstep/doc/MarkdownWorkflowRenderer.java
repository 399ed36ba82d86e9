package dev.lockstep.doc;

import static dev.lockstep.doc.MarkdownWorkflowSyntax.field;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Renders a {@link Workflow}: each line in its one canonical spelling, with the blank lines, line
 * ending and final newline of the workflow's {@link WorkflowLayout}. For a decoded document whose
 * lines all have one spelling this reproduces the input byte for byte.
 */
final class MarkdownWorkflowRenderer {
  private final WorkflowLayout layout;
  private final StringBuilder out = new StringBuilder();
  private boolean first = true;

  private MarkdownWorkflowRenderer(WorkflowLayout layout) {
    this.layout = layout;
  }

  static byte[] render(Workflow w) {
    return new MarkdownWorkflowRenderer(w.layout()).document(w).getBytes(StandardCharsets.UTF_8);
  }

  private void physical(String line) {
    if (!first) {
      out.append(layout.lineEnding());
    }
    first = false;
    out.append(line);
  }

  private void line(String key, String text) {
    for (String blank : layout.blanksBefore(key)) {
      physical(blank);
    }
    physical(text);
  }

  private void tasks(String list, List<WorkflowTask> tasks) {
    for (int i = 0; i < tasks.size(); i++) {
      line(WorkflowLayout.task(list, i), tasks.get(i).toMarkdown());
    }
  }

  private void section(String name) {
    line(WorkflowLayout.section(name), MarkdownWorkflowSyntax.section(name));
  }

  private String document(Workflow w) {
    line(WorkflowLayout.title(), MarkdownWorkflowSyntax.TITLE_PREFIX + w.title());
    line(WorkflowLayout.field(MarkdownWorkflowSyntax.ID), field(MarkdownWorkflowSyntax.ID, w.id()));
    line(
        WorkflowLayout.field(MarkdownWorkflowSyntax.STATUS),
        field(MarkdownWorkflowSyntax.STATUS, w.status().toString()));
    if (w.revision() > 0) {
      line(
          WorkflowLayout.field(MarkdownWorkflowSyntax.REVISION),
          field(MarkdownWorkflowSyntax.REVISION, Long.toString(w.revision())));
    }
    line(
        WorkflowLayout.field(MarkdownWorkflowSyntax.STARTED),
        field(MarkdownWorkflowSyntax.STARTED, w.started().toString()));
    line(
        WorkflowLayout.field(MarkdownWorkflowSyntax.UPDATED),
        field(MarkdownWorkflowSyntax.UPDATED, w.updated().toString()));
    section(MarkdownWorkflowSyntax.COMPLETED);
    tasks("completed", w.completed());
    section(MarkdownWorkflowSyntax.CURRENT);
    tasks("current", w.currentWave());
    section(MarkdownWorkflowSyntax.PENDING);
    List<WorkflowWave> waves = w.pendingWaves();
    for (int i = 0; i < waves.size(); i++) {
      line(WorkflowLayout.wave(i), MarkdownWorkflowSyntax.WAVE_PREFIX + waves.get(i).name());
      tasks("wave" + i, waves.get(i).tasks());
    }
    section(MarkdownWorkflowSyntax.NOTES);
    List<WorkflowNote> notes = w.notes();
    for (int i = 0; i < notes.size(); i++) {
      line(WorkflowLayout.note(i), notes.get(i).toMarkdown());
    }
    for (String blank : layout.trailingBlanks()) {
      physical(blank);
    }
    if (layout.finalNewline()) {
      out.append(layout.lineEnding());
    }
    return out.toString();
  }
}
