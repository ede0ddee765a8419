/**
 * Implementation of validation-core: the field rules, the phone fast path, the duplicate index. Not API: anything
 * here may change without notice; use the types of {@code rw.intake.validation}.
 */
package rw.intake.validation.internal;
