package io.calltrack.dni.outcome;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.CalltrackException;
import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The outcome CSV as pure parsing: a header's columns by name, a file without one by position. */
class OutcomeCsvTest {
  /**
   * A CRM export had converted before qualified: read by position, every converted, unqualified
   * call was stored as qualified and not converted, and the upload answered 200.
   */
  @Test
  void aHeadersColumnsAreReadByName() {
    List<OutcomeRoutes.Row> rows = OutcomeRoutes.fromCsv("callId,converted,qualified,value\nc-1,true,false,150.00\n");
    assertEquals(Boolean.TRUE, rows.get(0).outcome().converted());
    assertEquals(Boolean.FALSE, rows.get(0).outcome().qualified());
    assertEquals(new BigDecimal("150.00"), rows.get(0).outcome().value());

    rows = OutcomeRoutes.fromCsv("Value,Call ID\n99.00,c-2\n");
    assertEquals("c-2", rows.get(0).callId());
    assertEquals(new BigDecimal("99.00"), rows.get(0).outcome().value());
    assertNull(rows.get(0).outcome().qualified(), "a column the header leaves out is not set");
  }

  @Test
  void aHeaderMustNameKnownColumnsAndTheCall() {
    CalltrackException e = assertThrows(CalltrackException.Invalid.class,
        () -> OutcomeRoutes.fromCsv("callId,qualified,converted,value,notes\nc-1,true,false,1.00,called back\n"));
    assertEquals("the CSV header has unknown column 'notes'; the columns are callId, qualified, converted, value,"
        + " currency", e.getMessage());
    e = assertThrows(CalltrackException.Invalid.class,
        () -> OutcomeRoutes.fromCsv("qualified,converted,value\ntrue,true,1.00\n"));
    assertEquals("the CSV header has no callId column", e.getMessage());
  }

  @Test
  void withoutAHeaderTheFieldsAreInTheDocumentedOrder() {
    List<OutcomeRoutes.Row> rows = OutcomeRoutes.fromCsv("c-1,true,false,10.00\nc-2,no,yes,,eur\n");
    assertEquals(Boolean.TRUE, rows.get(0).outcome().qualified());
    assertEquals(Boolean.FALSE, rows.get(0).outcome().converted());
    assertEquals(Boolean.TRUE, rows.get(1).outcome().converted());
    assertEquals("EUR", rows.get(1).outcome().currency());
    CalltrackException e = assertThrows(CalltrackException.Invalid.class, () -> OutcomeRoutes.fromCsv("c-1,true\n"));
    assertTrue(e.getMessage().contains("row 1: expected 4 fields (callId,qualified,converted,value) or 5"),
        e.getMessage());
  }
}
