/** A user's module: needs nothing but dev.gelu (native access is granted on the command line). */
module app {
    requires dev.gelu;
}
