package dev.prescient.csi;

import java.util.regex.Pattern;

/**
 * Volume and snapshot ids as this driver accepts them. The node names files and directories
 * after them (staged state, attachment dirs), so an id must be one plain path component before
 * anything touches the disk: letters, digits, '.', '_' and '-', starting with a letter or digit
 * (so never "." or ".."), at most 128 characters (the CSI spec's size limit for strings).
 * Our own ids ({@code pv-<uuid>}, {@code snap-<uuid>}) always pass.
 */
public final class Ids {
    public static final int MAX_LENGTH = 128;
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    private Ids() {
    }

    /**
     * The node agent's limit: replica and snapshot ids name files in the tiers, and the operator
     * derives them from migration names (up to 253 characters), so the engine's own limit applies.
     */
    public static final int MAX_AGENT_LENGTH = 200;

    /** The id, or INVALID_ARGUMENT naming the field and what is wrong with it. */
    public static String require(String field, String id) {
        return require(field, id, MAX_LENGTH);
    }

    public static String require(String field, String id, int maxLength) {
        if (id.isEmpty()) {
            throw CsiException.invalid(field + " is required");
        }
        if (id.length() > maxLength) {
            throw CsiException.invalid(field + " is " + id.length() + " characters long, at most " + maxLength
                    + " are allowed");
        }
        if (!SAFE.matcher(id).matches()) {
            throw CsiException.invalid(field + " '" + printable(id) + "' is not a valid id: only letters, digits,"
                    + " '.', '_' and '-', starting with a letter or digit");
        }
        return id;
    }

    /** The id as it can be shown in a message: control characters escaped. */
    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        s.codePoints().forEach(c -> {
            if (c < 0x20 || c == 0x7f) {
                b.append(String.format("\\x%02x", c));
            } else {
                b.appendCodePoint(c);
            }
        });
        return b.toString();
    }
}
