package dev.lockstep.doc;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A Markdown workflow document ({@code STATE.md}), as a typed, immutable value:
 *
 * <pre>
 * # Workflow: Ingest docs
 * **Workflow ID:** wf_1
 * **Status:** Wave 2/5
 * **Revision:** 7
 * **Started:** 2026-01-21T10:00:00Z
 * **Updated:** 2026-01-21T10:05:00Z
 *
 * ## Completed
 * - [x] fetch sources
 * ## Current Wave
 * - [~] parse pages
 * - [ ] index pages
 * ## Pending Waves
 * ### Wave 3
 * - [ ] summarize
 * ## Notes
 * - 2026-01-21T10:04:00Z retrying parse after timeout
 * </pre>
 *
 * <p>Read and write it with {@link #codec()}; build a new one with {@link #create}; change it with
 * the withers, which all return a new value and leave this one alone:
 *
 * <pre>{@code
 * Workflow next = wf.markDone("parse pages").addNote(now, "parsed 120 pages").withUpdated(now);
 * }</pre>
 *
 * <h2>Format</h2>
 *
 * The codec is strict: every value has exactly one spelling, which is what makes byte-identical
 * round trips possible. A valid document is, in this order:
 *
 * <ul>
 *   <li>{@code # Workflow: <title>} on the first non-blank line;
 *   <li>the header fields, one per line, spelled {@code **Name:** value} with exactly one space:
 *       {@code Workflow ID} (no whitespace), {@code Status} ({@code Wave N/M}, see {@link
 *       WorkflowStatus}), {@code Revision} (optional; a positive number without leading zeros),
 *       {@code Started} and {@code Updated} (ISO-8601 instants in UTC as {@link Instant#toString()}
 *       writes them: {@code 2026-01-21T10:00:00Z}, {@code 2026-01-21T10:00:00.500Z}; offsets such
 *       as {@code +00:00} are refused with the spelling to use). No other field.
 *   <li>the four sections, all required, in this order: {@code ## Completed} (tasks {@code - [x]
 *       <text>}), {@code ## Current Wave} (tasks {@code - [ ]}, {@code - [~]} or {@code - [x]}),
 *       {@code ## Pending Waves} (waves {@code ### <name>}, each followed by zero or more {@code -
 *       [ ] <text>} tasks) and {@code ## Notes} (lines {@code - <instant> <text>}). Sections may be
 *       empty. Any other line is refused; other checkboxes ({@code [X]}, {@code [!]}, {@code [-]})
 *       are refused as bad checkboxes.
 * </ul>
 *
 * Free text (title, task, wave name, note) is everything up to the end of the line, verbatim:
 * colons, Markdown, unicode and leading or trailing spaces are kept. Blank lines (empty or only
 * whitespace) may appear anywhere; the line ending is {@code \n} or {@code \r\n} (one kind per
 * document), with or without a final one. The content must be UTF-8 without a byte order mark. A
 * refused document fails with one {@link InvalidDocumentException} listing every problem (at most
 * 100) with its line, such as {@code STATE.md:11: bad checkbox "[y]": expected [ ], [~] or [x]};
 * line 0 stands for problems of the whole document, such as a section missing at the end.
 *
 * <h2>Invariants</h2>
 *
 * Every value is a valid document: what the codec refuses, the factories and withers refuse too
 * (with {@link IllegalArgumentException}), so {@code codec.decode(codec.encode(w))} equals {@code
 * w} for every {@code Workflow}. Tasks under {@code ## Completed} are all {@code [x]}; tasks of
 * pending waves are all {@code [ ]}; the current wave's tasks may be in any of the three states.
 * The revision is {@code 0} (no {@code **Revision:**} line) or positive.
 *
 * <h2>Formatting and equality</h2>
 *
 * A decoded workflow remembers its layout: line ending ({@code \n} or {@code \r\n}), blank lines
 * and whether the last line ends with a line ending. The codec renders every unchanged line byte
 * for byte and lines a wither changed in the canonical spelling, so a small change makes a small
 * diff ({@code withRevision} changes the Revision line only). A workflow made by {@link #create},
 * or passed through {@link #withCanonicalLayout()}, renders canonically: {@code \n}, a final
 * newline, one blank line before {@code ## Completed} and none elsewhere, as above. Layout is
 * formatting only: it takes no part in {@link #equals}, {@link #hashCode} or {@link #toString}.
 * This is why {@code Workflow} is a final class rather than a record; its parts ({@link
 * WorkflowTask}, {@link WorkflowWave}, {@link WorkflowNote}, {@link WorkflowStatus}) are records.
 *
 * <p><b>Threading.</b> Immutable and thread-safe. The withers are pure functions; serializing
 * concurrent read-modify-write cycles on a file is the document store's job, not this class's.
 */
public final class Workflow {
  private final String title;
  private final String id;
  private final WorkflowStatus status;
  private final long revision;
  private final Instant started;
  private final Instant updated;
  private final List<WorkflowTask> completed;
  private final List<WorkflowTask> currentWave;
  private final List<WorkflowWave> pendingWaves;
  private final List<WorkflowNote> notes;
  private final WorkflowLayout layout;

  Workflow(
      String title,
      String id,
      WorkflowStatus status,
      long revision,
      Instant started,
      Instant updated,
      List<WorkflowTask> completed,
      List<WorkflowTask> currentWave,
      List<WorkflowWave> pendingWaves,
      List<WorkflowNote> notes,
      WorkflowLayout layout) {
    this.title = WorkflowText.requireLineText(title, "title");
    this.id = Objects.requireNonNull(id, "id");
    String idProblem = WorkflowText.idProblem(id);
    if (idProblem != null) {
      throw new IllegalArgumentException(
          "workflow id " + idProblem + ": " + WorkflowText.quote(id));
    }
    this.status = Objects.requireNonNull(status, "status");
    if (revision < 0) {
      throw new IllegalArgumentException("revision " + revision + " is negative");
    }
    this.revision = revision;
    this.started = Objects.requireNonNull(started, "started");
    this.updated = Objects.requireNonNull(updated, "updated");
    this.completed = List.copyOf(completed);
    for (WorkflowTask t : this.completed) {
      if (t.state() != WorkflowTask.State.DONE) {
        throw new IllegalArgumentException(
            "completed task "
                + WorkflowText.quote(t.text())
                + " is "
                + t.state().checkbox()
                + ": tasks under ## Completed must be [x]");
      }
    }
    this.currentWave = List.copyOf(currentWave);
    this.pendingWaves = List.copyOf(pendingWaves);
    this.notes = List.copyOf(notes);
    this.layout = Objects.requireNonNull(layout, "layout");
  }

  /**
   * A new workflow at wave {@code status}, with empty sections, revision 0, and {@code updated}
   * equal to {@code started}; it renders canonically.
   *
   * @param title the text after {@code # Workflow: }: not blank, one line
   * @param id the workflow id: not empty, no whitespace
   * @param status the current wave
   * @param started when the workflow started
   * @throws IllegalArgumentException if the title or the id breaks those rules
   * @throws NullPointerException if an argument is null
   */
  public static Workflow create(String title, String id, WorkflowStatus status, Instant started) {
    return new Workflow(
        title,
        id,
        status,
        0,
        started,
        started,
        List.of(),
        List.of(),
        List.of(),
        List.of(),
        WorkflowLayout.CANONICAL);
  }

  /**
   * The codec for {@code STATE.md} files, in the format described above: {@link
   * DocumentCodec#format()} is {@code markdown}; {@link DocumentCodec#revision} is the {@code
   * **Revision:**} line's number, or 0 without one; {@link DocumentCodec#withRevision} is {@link
   * #withRevision}. The codec is stateless and thread-safe.
   */
  public static DocumentCodec<Workflow> codec() {
    return MarkdownWorkflowCodec.INSTANCE;
  }

  /** The text after {@code # Workflow: }, verbatim. */
  public String title() {
    return title;
  }

  /** The {@code **Workflow ID:**}. */
  public String id() {
    return id;
  }

  /** The {@code **Status:**}: current wave and total. */
  public WorkflowStatus status() {
    return status;
  }

  /** The {@code **Revision:**}, or {@code 0} when the document has no Revision line. */
  public long revision() {
    return revision;
  }

  /** The {@code **Started:**} instant. */
  public Instant started() {
    return started;
  }

  /** The {@code **Updated:**} instant. */
  public Instant updated() {
    return updated;
  }

  /** The tasks under {@code ## Completed} (all done), unmodifiable. */
  public List<WorkflowTask> completed() {
    return completed;
  }

  /** The tasks under {@code ## Current Wave}, unmodifiable. */
  public List<WorkflowTask> currentWave() {
    return currentWave;
  }

  /** The waves under {@code ## Pending Waves}, in order, unmodifiable. */
  public List<WorkflowWave> pendingWaves() {
    return pendingWaves;
  }

  /** The lines under {@code ## Notes}, oldest first as written, unmodifiable. */
  public List<WorkflowNote> notes() {
    return notes;
  }

  /** True when no task is left: the current wave is empty and no wave is pending. */
  public boolean isFinished() {
    return currentWave.isEmpty() && pendingWaves.isEmpty();
  }

  WorkflowLayout layout() {
    return layout;
  }

  private Workflow with(
      String title,
      WorkflowStatus status,
      long revision,
      Instant started,
      Instant updated,
      List<WorkflowTask> completed,
      List<WorkflowTask> currentWave,
      List<WorkflowWave> pendingWaves,
      List<WorkflowNote> notes) {
    return new Workflow(
        title,
        id,
        status,
        revision,
        started,
        updated,
        completed,
        currentWave,
        pendingWaves,
        notes,
        layout);
  }

  /** A copy with another title (not blank, one line). */
  public Workflow withTitle(String newTitle) {
    return with(
        newTitle, status, revision, started, updated, completed, currentWave, pendingWaves, notes);
  }

  /** A copy with another status. */
  public Workflow withStatus(WorkflowStatus newStatus) {
    return with(
        title, newStatus, revision, started, updated, completed, currentWave, pendingWaves, notes);
  }

  /**
   * A copy carrying {@code newRevision}; {@code 0} leaves the Revision line out. On a decoded
   * document only the Revision line's bytes change (the line is inserted after the Status line when
   * the document had none).
   *
   * @throws IllegalArgumentException if {@code newRevision} is negative
   */
  public Workflow withRevision(long newRevision) {
    return with(
        title, status, newRevision, started, updated, completed, currentWave, pendingWaves, notes);
  }

  /** A copy with another {@code **Started:**} instant. */
  public Workflow withStarted(Instant newStarted) {
    return with(
        title, status, revision, newStarted, updated, completed, currentWave, pendingWaves, notes);
  }

  /** A copy with another {@code **Updated:**} instant; no wither sets it for you. */
  public Workflow withUpdated(Instant newUpdated) {
    return with(
        title, status, revision, started, newUpdated, completed, currentWave, pendingWaves, notes);
  }

  /**
   * A copy with these completed tasks.
   *
   * @throws IllegalArgumentException if a task is not done
   */
  public Workflow withCompleted(List<WorkflowTask> tasks) {
    return with(title, status, revision, started, updated, tasks, currentWave, pendingWaves, notes);
  }

  /** A copy with these tasks in the current wave. */
  public Workflow withCurrentWave(List<WorkflowTask> tasks) {
    return with(title, status, revision, started, updated, completed, tasks, pendingWaves, notes);
  }

  /** A copy with these pending waves. */
  public Workflow withPendingWaves(List<WorkflowWave> waves) {
    return with(title, status, revision, started, updated, completed, currentWave, waves, notes);
  }

  /** A copy with these notes. */
  public Workflow withNotes(List<WorkflowNote> newNotes) {
    return with(
        title, status, revision, started, updated, completed, currentWave, pendingWaves, newNotes);
  }

  /** A copy with the note {@code - at text} added at the end of {@code ## Notes}. */
  public Workflow addNote(Instant at, String text) {
    List<WorkflowNote> more = new ArrayList<>(notes);
    more.add(new WorkflowNote(at, text));
    return withNotes(more);
  }

  /**
   * A copy in which the current wave's task whose text equals {@code text} has {@code state}.
   *
   * @throws IllegalArgumentException if no task of the current wave, or more than one, has exactly
   *     that text (use {@link #withTaskState(int, WorkflowTask.State)} for duplicates)
   */
  public Workflow withTaskState(String text, WorkflowTask.State state) {
    Objects.requireNonNull(text, "text");
    int found = -1;
    for (int i = 0; i < currentWave.size(); i++) {
      if (currentWave.get(i).text().equals(text)) {
        if (found >= 0) {
          throw new IllegalArgumentException(
              "the current wave of workflow "
                  + id
                  + " has several tasks "
                  + WorkflowText.quote(text)
                  + " (positions "
                  + found
                  + " and "
                  + i
                  + "): choose one by position");
        }
        found = i;
      }
    }
    if (found < 0) {
      throw new IllegalArgumentException(
          "the current wave of workflow " + id + " has no task " + WorkflowText.quote(text));
    }
    return withTaskState(found, state);
  }

  /**
   * A copy in which task {@code index} (from 0) of the current wave has {@code state}.
   *
   * @throws IndexOutOfBoundsException if there is no such task
   */
  public Workflow withTaskState(int index, WorkflowTask.State state) {
    Objects.checkIndex(index, currentWave.size());
    List<WorkflowTask> tasks = new ArrayList<>(currentWave);
    tasks.set(index, tasks.get(index).withState(state));
    return withCurrentWave(tasks);
  }

  /** {@code withTaskState(text, DONE)}: the task is finished. */
  public Workflow markDone(String text) {
    return withTaskState(text, WorkflowTask.State.DONE);
  }

  /** {@code withTaskState(text, IN_PROGRESS)}: the task is being worked on. */
  public Workflow markInProgress(String text) {
    return withTaskState(text, WorkflowTask.State.IN_PROGRESS);
  }

  /**
   * A copy in which the current wave is over: its tasks are appended to {@code ## Completed}, the
   * first pending wave (its tasks, not its name) becomes the current wave and the status moves to
   * the next wave. With no pending wave left the current wave becomes empty, the status stays, and
   * the workflow {@link #isFinished()}.
   *
   * @throws IllegalStateException if a task of the current wave is not done (mark it first), or if
   *     the status is already at its last wave while waves are still pending
   */
  public Workflow completeWave() {
    List<String> open =
        currentWave.stream()
            .filter(t -> t.state() != WorkflowTask.State.DONE)
            .map(t -> t.state().checkbox() + " " + WorkflowText.quote(t.text()))
            .toList();
    if (!open.isEmpty()) {
      throw new IllegalStateException(
          "cannot complete wave "
              + status.wave()
              + " of workflow "
              + id
              + ": not done: "
              + String.join(", ", open));
    }
    List<WorkflowTask> done = new ArrayList<>(completed);
    done.addAll(currentWave);
    if (pendingWaves.isEmpty()) {
      return with(title, status, revision, started, updated, done, List.of(), List.of(), notes);
    }
    if (status.wave() == status.totalWaves()) {
      throw new IllegalStateException(
          "cannot complete wave "
              + status.wave()
              + " of workflow "
              + id
              + ": the status "
              + status
              + " has no next wave but "
              + pendingWaves.size()
              + " wave(s) are pending");
    }
    return with(
        title,
        status.next(),
        revision,
        started,
        updated,
        done,
        pendingWaves.get(0).tasks(),
        pendingWaves.subList(1, pendingWaves.size()),
        notes);
  }

  /** This workflow with the canonical layout ({@code \n}, canonical blank lines) when rendered. */
  public Workflow withCanonicalLayout() {
    return new Workflow(
        title,
        id,
        status,
        revision,
        started,
        updated,
        completed,
        currentWave,
        pendingWaves,
        notes,
        WorkflowLayout.CANONICAL);
  }

  /** Equal when every field is equal; the layout is ignored. */
  @Override
  public boolean equals(Object o) {
    return o instanceof Workflow w
        && revision == w.revision
        && title.equals(w.title)
        && id.equals(w.id)
        && status.equals(w.status)
        && started.equals(w.started)
        && updated.equals(w.updated)
        && completed.equals(w.completed)
        && currentWave.equals(w.currentWave)
        && pendingWaves.equals(w.pendingWaves)
        && notes.equals(w.notes);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        title, id, status, revision, started, updated, completed, currentWave, pendingWaves, notes);
  }

  /** A summary (id, title, status, revision, counts), not the whole document. */
  @Override
  public String toString() {
    return "Workflow[id="
        + id
        + ", title="
        + WorkflowText.quote(title)
        + ", status="
        + status
        + ", revision="
        + revision
        + ", completed="
        + completed.size()
        + ", current="
        + currentWave.size()
        + ", pending waves="
        + pendingWaves.size()
        + ", notes="
        + notes.size()
        + "]";
  }
}
