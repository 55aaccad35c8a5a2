package io.calltrack.dni.spend;

import io.calltrack.core.CalltrackException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Problems found in an upload, by row number, collected so one 400 answer names every bad row
 * ("row 3: ...; row 7: ...") and nothing is applied.
 */
public final class RowErrors {
  private final List<String> problems = new ArrayList<>();
  private final List<Integer> rows = new ArrayList<>();

  public void add(int row, String problem) {
    rows.add(row);
    problems.add("row " + row + ": " + problem);
  }

  public boolean any() {
    return !rows.isEmpty();
  }

  public List<Integer> rows() {
    return List.copyOf(rows);
  }

  public void throwIfAny() {
    if (any()) {
      throw new CalltrackException.Invalid("bad rows " + rows.stream().map(String::valueOf)
          .collect(Collectors.joining(",")) + " (nothing was applied): " + String.join("; ", problems));
    }
  }
}
