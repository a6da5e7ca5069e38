"""Many cases, fast: the command centre bench's data (``bench/command.py``), ``bench/scale.py``
and their tests. The generator lives in ``gongzhi.demo.grow`` (also ``gongzhi demo grow``);
this module keeps the benches' old import path."""

from gongzhi.demo.grow import *  # noqa: F403
from gongzhi.demo.grow import (  # noqa: F401
    CHUNK,
    SEED,
    Loader,
    Places,
    Writer,
    demo_texts,
    generate,
    grow,
    load_reference,
)
