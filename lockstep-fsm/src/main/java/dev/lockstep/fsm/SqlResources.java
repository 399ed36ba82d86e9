package dev.lockstep.fsm;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Loads the SQL resource files of the SQLite store: named statements and migration scripts. */
final class SqlResources {
  static final String DIR = "/dev/lockstep/fsm/sqlite/";

  /** The migrations, in order: index i holds the script taking the schema to version i + 1. */
  static final List<String> MIGRATIONS =
      List.of("V1__schema.sql", "V2__attempt_index_in_bulk.sql", "V3__attempt_seq_and_ids.sql");

  private SqlResources() {}

  static String read(String name) {
    try (InputStream in = SqlResources.class.getResourceAsStream(DIR + name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + DIR + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read resource " + DIR + name, e);
    }
  }

  /** Parses {@code statements.sql}: each statement follows a {@code -- name: x} line. */
  static Map<String, String> statements() {
    Map<String, String> out = new LinkedHashMap<>();
    String name = null;
    StringBuilder sql = new StringBuilder();
    for (String line : read("statements.sql").split("\n", -1)) {
      String t = line.strip();
      if (t.startsWith("-- name:")) {
        if (name != null) {
          out.put(name, sql.toString().strip());
        }
        name = t.substring("-- name:".length()).strip();
        sql.setLength(0);
      } else if (!t.startsWith("--") && name != null) {
        sql.append(line).append('\n');
      }
    }
    if (name != null) {
      out.put(name, sql.toString().strip());
    }
    return Map.copyOf(out);
  }

  /** Splits a migration script into statements (on {@code ;} at a line's end), comments dropped. */
  static List<String> script(String name) {
    List<String> out = new ArrayList<>();
    StringBuilder sql = new StringBuilder();
    for (String line : read(name).split("\n", -1)) {
      String t = line.strip();
      if (t.startsWith("--") || t.isEmpty()) {
        continue;
      }
      sql.append(line).append('\n');
      if (t.endsWith(";")) {
        out.add(sql.toString().strip());
        sql.setLength(0);
      }
    }
    if (!sql.toString().isBlank()) {
      out.add(sql.toString().strip());
    }
    return out;
  }
}
