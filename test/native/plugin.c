/*
 * A plugin that the holder loads with dlopen() after it started, like a module an
 * application loads on demand: it is in /proc/PID/maps but not among the DT_NEEDED libraries.
 */
#ifndef PLUGIN_VERSION
#define PLUGIN_VERSION "v1"
#endif

const char *plugin_version(void) { return "afterpatch-plugin-" PLUGIN_VERSION; }
