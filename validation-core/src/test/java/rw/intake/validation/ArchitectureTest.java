package rw.intake.validation;

/** This module's boundaries, as {@link ModuleArchitecture} defines them for every module. */
final class ArchitectureTest extends ModuleArchitecture {

    ArchitectureTest() {
        super(Module.VALIDATION);
    }
}
