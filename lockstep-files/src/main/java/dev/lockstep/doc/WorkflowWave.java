package dev.lockstep.doc;

import java.util.List;
import java.util.Objects;

/**
 * A wave under {@code ## Pending Waves}: its heading {@code ### Wave 3} and its tasks, all pending
 * ({@code [ ]}) because the wave has not started. A wave may have no task.
 *
 * <p>The name is everything after {@code "### "}, verbatim; it must contain a non-whitespace
 * character and no line break. Immutable and thread-safe; {@code tasks} is an unmodifiable copy.
 *
 * @param name the heading text, such as {@code Wave 3}
 * @param tasks the wave's tasks, in order
 */
public record WorkflowWave(String name, List<WorkflowTask> tasks) {

  /**
   * Validates and copies the components.
   *
   * @throws NullPointerException if an argument or a task is null
   * @throws IllegalArgumentException if the name is blank or has a line break, or a task is not
   *     pending
   */
  public WorkflowWave {
    WorkflowText.requireLineText(name, "wave name");
    tasks = List.copyOf(tasks);
    for (WorkflowTask t : tasks) {
      if (t.state() != WorkflowTask.State.PENDING) {
        throw new IllegalArgumentException(
            "task "
                + WorkflowText.quote(t.text())
                + " of pending wave "
                + WorkflowText.quote(name)
                + " is "
                + t.state().checkbox()
                + ": tasks of a pending wave must be [ ]");
      }
    }
  }

  /** A wave named {@code name} whose tasks, all pending, have the given texts. */
  public static WorkflowWave of(String name, String... taskTexts) {
    Objects.requireNonNull(taskTexts, "taskTexts");
    return new WorkflowWave(
        name, java.util.Arrays.stream(taskTexts).map(WorkflowTask::pending).toList());
  }
}
