package org.clinicmaster.warehouse.connect.transforms;

/** The jar's version (its manifest's Implementation-Version), which Connect shows per plugin. */
final class Version {
  private Version() {}

  static String get() {
    String version = Version.class.getPackage().getImplementationVersion();
    return version == null ? "unknown" : version;
  }
}
