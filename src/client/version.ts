/** The package version, for the default useragent (a unit test keeps it equal to package.json). */
export const CLIENT_VERSION = '0.1.0';

/** The useragent sent when none is given. */
export const DEFAULT_USERAGENT = `hivelink-client/${CLIENT_VERSION}`;
