// Filled by its issue; placeholder so the package builds.
