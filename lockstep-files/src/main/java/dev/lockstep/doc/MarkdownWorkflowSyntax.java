package dev.lockstep.doc;

import java.util.List;

/** The fixed spellings of the Markdown workflow format, shared by the parser and the renderer. */
final class MarkdownWorkflowSyntax {
  private MarkdownWorkflowSyntax() {}

  static final String TITLE_PREFIX = "# Workflow: ";

  static final String ID = "Workflow ID";
  static final String STATUS = "Status";
  static final String REVISION = "Revision";
  static final String STARTED = "Started";
  static final String UPDATED = "Updated";

  /** Header fields in the only order accepted; Revision is the one optional field. */
  static final List<String> FIELDS = List.of(ID, STATUS, REVISION, STARTED, UPDATED);

  static final String COMPLETED = "Completed";
  static final String CURRENT = "Current Wave";
  static final String PENDING = "Pending Waves";
  static final String NOTES = "Notes";

  /** Sections in the only order accepted; all four are required. */
  static final List<String> SECTIONS = List.of(COMPLETED, CURRENT, PENDING, NOTES);

  static final String SECTION_PREFIX = "## ";
  static final String WAVE_PREFIX = "### ";

  static String field(String name, String value) {
    return "**" + name + ":** " + value;
  }

  static String section(String name) {
    return SECTION_PREFIX + name;
  }
}
