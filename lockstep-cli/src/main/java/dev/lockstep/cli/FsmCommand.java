package dev.lockstep.cli;

import dev.lockstep.fsm.DefinitionError;
import dev.lockstep.fsm.DefinitionException;
import dev.lockstep.fsm.DiagramFormat;
import dev.lockstep.fsm.MachineDefinition;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code lockstep fsm …}: state-machine definitions from the command line. Only parsing and
 * printing live here; loading, validation and rendering are {@link MachineDefinition}'s.
 */
@Command(
    name = "fsm",
    mixinStandardHelpOptions = true,
    description = {
      "State machines: check, draw and run definition files (YAML or JSON) in SQLite.",
      "Create entities, fire events (exactly one winner per race), read state and history,"
          + " check a database's invariants."
    },
    subcommands = {
      FsmCommand.Validate.class,
      FsmCommand.Render.class,
      FsmEntityCommands.Create.class,
      FsmEntityCommands.Fire.class,
      FsmEntityCommands.State.class,
      FsmEntityCommands.History.class,
      FsmEntityCommands.Check.class
    })
final class FsmCommand implements Runnable {
  static final int INVALID = 1;
  static final int USAGE = 2;
  static final int EX_NOINPUT = 66;

  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Loads DEF, printing its errors as {@code DEF:LINE: element: message}; null when it fails. */
  static MachineDefinition load(Path def, PrintWriter err, int[] status) {
    try {
      return MachineDefinition.load(def);
    } catch (DefinitionException e) {
      for (DefinitionError error : e.errors()) {
        err.println(
            def
                + (error.line() > 0 ? ":" + error.line() : "")
                + ": "
                + error.element()
                + ": "
                + error.message());
      }
      err.flush();
      status[0] = INVALID;
    } catch (IOException e) {
      err.println("lockstep fsm: cannot read " + def + ": " + Problems.describe(e, def));
      err.flush();
      status[0] = EX_NOINPUT;
    }
    return null;
  }

  @Command(
      name = "validate",
      mixinStandardHelpOptions = true,
      description = {
        "Check a machine definition file and print each error with its line.",
        "Errors: unknown or unreachable states, two transitions for one (state, event), no"
            + " initial state, unused events, undefined guards and actions, CEL errors."
      },
      exitCodeListHeading = "%nExit status:%n",
      exitCodeList = {
        "  0:the definition is valid",
        "  1:it is not; each error is printed as DEF:LINE: element: message",
        "  2:usage error",
        " 66:DEF cannot be read"
      })
  static final class Validate implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "DEF", description = "The definition file (.yaml, .yml or .json).")
    Path def;

    @Override
    public Integer call() {
      int[] status = {0};
      MachineDefinition d = load(def, spec.commandLine().getOut(), status);
      if (d != null) {
        PrintWriter out = spec.commandLine().getOut();
        out.println(
            def
                + ": valid machine '"
                + d.name()
                + "': "
                + d.states().size()
                + " states, "
                + d.events().size()
                + " events, "
                + d.transitions().size()
                + " transitions");
        out.flush();
      }
      return status[0];
    }
  }

  @Command(
      name = "render",
      mixinStandardHelpOptions = true,
      description =
          "Print a machine definition as a Mermaid stateDiagram-v2 or a Graphviz digraph.",
      exitCodeListHeading = "%nExit status:%n",
      exitCodeList = {
        "  0:the diagram was printed",
        "  1:the definition is invalid; errors go to standard error",
        "  2:usage error",
        " 66:DEF cannot be read"
      })
  static final class Render implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "DEF", description = "The definition file (.yaml, .yml or .json).")
    Path def;

    @Option(
        names = {"-f", "--format"},
        paramLabel = "FORMAT",
        description = "mermaid (default) or dot.")
    String format = "mermaid";

    @Override
    public Integer call() {
      DiagramFormat diagram =
          switch (format.toLowerCase(Locale.ROOT)) {
            case "mermaid" -> DiagramFormat.MERMAID;
            case "dot" -> DiagramFormat.DOT;
            default ->
                throw new CommandLine.ParameterException(
                    spec.commandLine(), "--format must be mermaid or dot, not '" + format + "'");
          };
      int[] status = {0};
      MachineDefinition d = load(def, spec.commandLine().getErr(), status);
      if (d != null) {
        PrintWriter out = spec.commandLine().getOut();
        out.print(diagram.render(d));
        out.flush();
      }
      return status[0];
    }
  }
}
