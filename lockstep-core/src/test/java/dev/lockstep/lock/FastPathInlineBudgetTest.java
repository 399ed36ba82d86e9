package dev.lockstep.lock;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The uncontended acquire/release cycle is fast only if the JIT inlines all of it into the caller:
 * HotSpot's C2 inlines a hot method only up to {@code -XX:FreqInlineSize} (325) bytes of bytecode.
 * This test reads the compiled class files and keeps each method of that cycle under the limit, so
 * that a rare path added to one of them is moved out (into {@code awaitSlowly}, {@code enterTable},
 * {@code handOff}) instead of silently costing every uncontended cycle a call.
 *
 * <p>Shown to fail: against the code before this test ({@code await} held the queueing and waiting
 * loop itself, 333 bytes), where C2 reported {@code LockEngine::await (333 bytes) failed to inline:
 * hot method too big} and the uncontended cycle ran about 8 % slower (65 M vs 70 M per second).
 */
class FastPathInlineBudgetTest {
  /** C2's default {@code FreqInlineSize} on x86-64 and aarch64. */
  private static final int HOT_INLINE_LIMIT = 325;

  @Test
  void theUncontendedCycleFitsTheInliningLimit() throws IOException {
    Map<String, Integer> engine = codeLengths(LockEngine.class);
    Map<String, Integer> slots = codeLengths(FastSlots.class);
    Map<String, Integer> node = codeLengths(Node.class);
    assertFits("LockEngine.acquireHold", engine.get("acquireHold"));
    assertFits("LockEngine.tryHold", engine.get("tryHold"));
    assertFits("LockEngine.release", engine.get("release"));
    assertFits("FastSlots.take", slots.get("take"));
    assertFits("FastSlots.publish", slots.get("publish"));
    assertFits("FastSlots.release", slots.get("release"));
    assertFits("Node.close", node.get("close"));
  }

  private static void assertFits(String method, Integer length) {
    assertTrue(length != null, method + " not found");
    assertTrue(
        length <= HOT_INLINE_LIMIT,
        method
            + " is "
            + length
            + " bytes of bytecode, over C2's hot inlining limit of "
            + HOT_INLINE_LIMIT
            + ": move its rare paths into a separate method");
  }

  /**
   * The bytecode length of each method of a class by name (the largest of same-named overloads),
   * read from its class file.
   */
  private static Map<String, Integer> codeLengths(Class<?> c) throws IOException {
    InputStream raw = c.getResourceAsStream(c.getSimpleName() + ".class");
    assertTrue(raw != null, "no class file for " + c);
    try (DataInputStream in = new DataInputStream(raw)) {
      in.readInt(); // magic
      in.readInt(); // minor, major
      int count = in.readUnsignedShort();
      String[] utf8 = new String[count];
      for (int i = 1; i < count; i++) {
        int tag = in.readUnsignedByte();
        switch (tag) {
          case 1 -> utf8[i] = in.readUTF();
          case 7, 8, 16, 19, 20 -> in.skipNBytes(2);
          case 15 -> in.skipNBytes(3);
          case 3, 4, 9, 10, 11, 12, 17, 18 -> in.skipNBytes(4);
          case 5, 6 -> {
            in.skipNBytes(8);
            i++; // takes two entries
          }
          default -> throw new IOException("unknown constant pool tag " + tag);
        }
      }
      in.skipNBytes(6); // access flags, this, super
      in.skipNBytes(2L * in.readUnsignedShort()); // interfaces
      int fields = in.readUnsignedShort();
      for (int f = 0; f < fields; f++) {
        in.skipNBytes(6);
        skipAttributes(in);
      }
      Map<String, Integer> lengths = new HashMap<>();
      int methods = in.readUnsignedShort();
      for (int m = 0; m < methods; m++) {
        in.skipNBytes(2);
        String name = utf8[in.readUnsignedShort()];
        in.skipNBytes(2);
        int attributes = in.readUnsignedShort();
        for (int a = 0; a < attributes; a++) {
          String attribute = utf8[in.readUnsignedShort()];
          int length = in.readInt();
          if (attribute.equals("Code")) {
            in.skipNBytes(4); // max stack, max locals
            lengths.merge(name, in.readInt(), Math::max);
            in.skipNBytes(length - 8L);
          } else {
            in.skipNBytes(length);
          }
        }
      }
      return lengths;
    }
  }

  private static void skipAttributes(DataInputStream in) throws IOException {
    int attributes = in.readUnsignedShort();
    for (int a = 0; a < attributes; a++) {
      in.skipNBytes(2);
      in.skipNBytes(in.readInt());
    }
  }
}
