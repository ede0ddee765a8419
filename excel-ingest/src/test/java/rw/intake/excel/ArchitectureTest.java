package rw.intake.excel;

import rw.intake.validation.ModuleArchitecture;

/** This module's boundaries, as {@link ModuleArchitecture} defines them for every module. */
final class ArchitectureTest extends ModuleArchitecture {

    ArchitectureTest() {
        super(Module.EXCEL);
    }
}
