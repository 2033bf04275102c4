"""Seeds matplotlib's cache folder with the font list built when the image was built.

matplotlib wants a writable cache folder ($MPLCONFIGDIR, under the run's fresh /tmp) and builds its font
list there when it finds none, which takes longer than most runs. The first time a program imports
matplotlib (and only then: a run that does not use it finds nothing of this in /tmp), the list built at
image build is copied there. Imported at start-up by quicktry_matplotlib.pth.
"""
import os
import sys

_SOURCE = "/opt/quicktry/matplotlib"


def _seed():
    target = os.environ.get("MPLCONFIGDIR")
    if not target or os.path.isdir(target) or not os.path.isdir(_SOURCE):
        return
    try:
        os.makedirs(target)
        for name in os.listdir(_SOURCE):
            with open(os.path.join(_SOURCE, name), "rb") as source, open(os.path.join(target, name), "wb") as copy:
                copy.write(source.read())
    except OSError:
        pass


class _SeedOnImport:
    """An import hook that acts once, when matplotlib is imported, and never finds a module itself."""

    def find_spec(self, name, path=None, target=None):
        if name == "matplotlib":
            sys.meta_path.remove(self)
            _seed()
        return None


sys.meta_path.insert(0, _SeedOnImport())
