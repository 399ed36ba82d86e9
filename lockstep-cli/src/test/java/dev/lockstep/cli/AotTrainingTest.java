package dev.lockstep.cli;

import static org.junit.jupiter.api.Assertions.assertSame;

import java.io.PrintStream;
import org.junit.jupiter.api.Test;

class AotTrainingTest {

  @Test
  void trainingRunsItsCommandsAndRestoresTheStandardStreams() {
    PrintStream out = System.out;
    PrintStream err = System.err;
    AotTraining.main(new String[0]); // exits the JVM with 1 if a training command fails
    assertSame(out, System.out);
    assertSame(err, System.err);
  }
}
