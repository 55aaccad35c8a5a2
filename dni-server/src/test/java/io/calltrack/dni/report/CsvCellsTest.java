package io.calltrack.dni.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class CsvCellsTest {
  @Test
  void formulaLikeCellsGetAnApostropheNumbersDoNot() {
    assertEquals("'=HYPERLINK(\"http://x\",\"y\")", CsvCells.neutralise("=HYPERLINK(\"http://x\",\"y\")"));
    assertEquals("'+cmd|' /C calc'!A0", CsvCells.neutralise("+cmd|' /C calc'!A0"));
    assertEquals("'-2+3", CsvCells.neutralise("-2+3"));
    assertEquals("'@SUM(A1:A2)", CsvCells.neutralise("@SUM(A1:A2)"));
    assertEquals("'\t=1", CsvCells.neutralise("\t=1"));
    assertEquals("'\r=1", CsvCells.neutralise("\r=1"));
    assertEquals("-12.50", CsvCells.neutralise("-12.50"));
    assertEquals("+15551234567", CsvCells.neutralise("+15551234567"));
    assertEquals("1e5", CsvCells.neutralise("1e5"));
    assertEquals("google", CsvCells.neutralise("google"));
    assertEquals("", CsvCells.neutralise(""));
  }

  @Test
  void csvWriteNeutralisesThenQuotes() {
    assertEquals("'=1+2,\"'=A1,B1\",-3\r\n", Csv.write(List.of(List.of("=1+2", "=A1,B1", "-3"))));
  }
}
