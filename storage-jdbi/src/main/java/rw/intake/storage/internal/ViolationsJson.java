package rw.intake.storage.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import rw.intake.validation.Field;
import rw.intake.validation.Severity;
import rw.intake.validation.Violation;

/**
 * The {@code users.errors} column: the violations as a JSON array of
 * {@code {"field","code","severity","message","relatedRow"?}}, with the stable keys of {@link Field} and {@link Severity}.
 */
final class ViolationsJson {

    private static final JsonFactory JSON = new JsonFactory();

    private ViolationsJson() {}

    static String write(List<Violation> violations) {
        if (violations.isEmpty()) {
            return "[]";
        }
        StringWriter out = new StringWriter(64 * violations.size());
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartArray();
            for (Violation v : violations) {
                g.writeStartObject();
                g.writeStringField("field", v.field().key());
                g.writeStringField("code", v.code());
                g.writeStringField("severity", v.severity().key());
                g.writeStringField("message", v.message());
                if (v.relatedRow() != null) {
                    g.writeNumberField("relatedRow", v.relatedRow());
                }
                g.writeEndObject();
            }
            g.writeEndArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    static List<Violation> read(String json) {
        if (json == null || json.equals("[]")) {
            return List.of();
        }
        List<Violation> violations = new ArrayList<>();
        try (JsonParser p = JSON.createParser(json)) {
            expect(p.nextToken(), JsonToken.START_ARRAY);
            while (p.nextToken() == JsonToken.START_OBJECT) {
                violations.add(readOne(p));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("bad errors JSON: " + json, e);
        }
        return violations;
    }

    private static Violation readOne(JsonParser p) throws IOException {
        Field field = null;
        String code = null;
        Severity severity = null;
        String message = null;
        Integer relatedRow = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            p.nextToken();
            switch (name) {
                case "field" -> field = Field.fromKey(p.getText());
                case "code" -> code = p.getText();
                case "severity" ->
                    severity = p.getText().equals(Severity.ERROR.key()) ? Severity.ERROR : Severity.WARNING;
                case "message" -> message = p.getText();
                case "relatedRow" -> relatedRow = p.getIntValue();
                default -> p.skipChildren();
            }
        }
        return new Violation(field, code, severity, message, relatedRow);
    }

    private static void expect(JsonToken actual, JsonToken expected) throws IOException {
        if (actual != expected) {
            throw new IOException("expected " + expected + " but found " + actual);
        }
    }
}
