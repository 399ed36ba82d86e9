package dev.lockstep.fsm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The schema is created on open, recorded as version 1, and a newer file is refused. */
class SqliteSchemaTest {
  @TempDir Path dir;

  @Test
  void openCreatesTheSchemaAndRecordsItsVersion() throws Exception {
    Path db = dir.resolve("s.db");
    FsmStore.sqlite(db).close();
    FsmStore.sqlite(db).close();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT count(*), max(version) FROM lockstep_fsm_schema")) {
      assertTrue(rs.next());
      assertEquals(1, rs.getInt(1));
      assertEquals(SqlResources.MIGRATIONS.size(), rs.getInt(2));
    }
  }

  @Test
  void aNewerSchemaIsRefusedWithTheFileInTheMessage() throws Exception {
    Path db = dir.resolve("new.db");
    FsmStore.sqlite(db).close();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        Statement st = c.createStatement()) {
      st.execute("UPDATE lockstep_fsm_schema SET version = 99");
    }
    FsmStoreException e = assertThrows(FsmStoreException.class, () -> FsmStore.sqlite(db));
    assertTrue(e.getMessage().contains(db.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("99"), e.getMessage());
  }

  @Test
  void aFileThatIsNotADatabaseIsRefused() throws Exception {
    Path db = dir.resolve("junk.db");
    Files.writeString(db, "this is not sqlite, just text long enough to have a header.........");
    FsmStoreException e = assertThrows(FsmStoreException.class, () -> FsmStore.sqlite(db));
    assertTrue(e.getMessage().contains("junk.db"), e.getMessage());
  }
}
