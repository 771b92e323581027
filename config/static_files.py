"""Static files storage for production: hashed names, gzip and brotli, through whitenoise.

The vendored Bootstrap and Chart.js bundles end with a sourceMappingURL comment for map files we
do not ship (nobody debugs vendored libraries on the intranet); Django would refuse the whole
collectstatic over them. A reference to a missing .map is left as it is; any other missing file
is still an error.
"""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    def url_converter(self, name, hashed_files, template=None):
        convert = super().url_converter(name, hashed_files, template)

        def converter(matchobj):
            try:
                return convert(matchobj)
            except ValueError:
                if matchobj.groupdict().get("url", "").strip().endswith(".map"):
                    return matchobj.group(0)
                raise

        return converter
