# shellcheck shell=bash
# Sourced by scripts/serve and scripts/test, from the repository root:
#
#     source scripts/_venv.sh
#     ensure_venv test     # or: ensure_venv ""  (no extras)
#
# Creates .venv with Python 3.11 or newer if it is missing, and installs the
# project into it in editable mode -- but only when pyproject.toml (or the
# extras asked for) changed since the last install.  A stamp file inside .venv
# holds the sha256 of pyproject.toml and the extras of that install.
# Set PYTHON=/path/to/python to choose the interpreter that creates .venv.

_venv_die() {
    echo "error: $*" >&2
    exit 1
}

# Prints "major.minor" of the interpreter $1, or nothing if it does not run.
_venv_py_version() {
    "$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || true
}

# True if the interpreter $1 is Python 3.11 or newer.
_venv_py_ok() {
    "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' >/dev/null 2>&1
}

# Prints the path of the first Python 3.11+ interpreter found.
_venv_pick_python() {
    local candidates=() seen="" c path version
    if [[ -n ${PYTHON:-} ]]; then
        candidates=("$PYTHON")
    else
        candidates=(python3.14 python3.13 python3.12 python3.11 python3 python)
    fi
    for c in "${candidates[@]}"; do
        path=$(command -v "$c" 2>/dev/null) || continue
        if _venv_py_ok "$path"; then
            echo "$path"
            return 0
        fi
        version=$(_venv_py_version "$path")
        seen+="  $path: ${version:-does not run}"$'\n'
    done
    {
        echo "error: this project needs Python 3.11 or newer to create .venv."
        if [[ -n $seen ]]; then
            echo "Interpreters found, none recent enough:"
            printf '%s' "$seen"
        else
            echo "No python3 interpreter found on PATH${PYTHON:+ (PYTHON=$PYTHON)}."
        fi
        echo "Install Python 3.11+ (or set PYTHON=/path/to/python3.11) and try again."
    } >&2
    exit 1
}

# ensure_venv EXTRAS -- EXTRAS is "" (runtime only) or e.g. "test".
ensure_venv() {
    local extras=${1:-}
    local venv=.venv
    local stamp=$venv/.certledger-install-stamp
    local py

    [[ -f pyproject.toml ]] || _venv_die "ensure_venv must run from the repository root"

    if [[ ! -x $venv/bin/python ]]; then
        py=$(_venv_pick_python) || exit 1
        echo "creating virtual environment .venv with $py ($(_venv_py_version "$py")) ..."
        if ! "$py" -m venv "$venv"; then
            rm -rf "$venv"
            _venv_die "'$py -m venv' failed (on Debian/Ubuntu install the python3-venv package)"
        fi
    fi
    _venv_py_ok "$venv/bin/python" ||
        _venv_die ".venv uses Python $(_venv_py_version "$venv/bin/python"), but 3.11+ is needed; delete .venv and run again"

    # sha256 of pyproject.toml, computed by Python so no sha256sum is needed.
    local digest
    digest=$("$venv/bin/python" -c \
        'import hashlib, sys; print(hashlib.sha256(open("pyproject.toml", "rb").read()).hexdigest())') ||
        _venv_die "could not hash pyproject.toml"
    local want="$digest ${extras:-none}"

    # An install with the test extras also satisfies a runtime-only request.
    local have=""
    [[ -f $stamp ]] && have=$(<"$stamp")
    if [[ $have == "$want" ]] || [[ -z $extras && $have == "$digest "* ]]; then
        return 0
    fi

    local target=.
    [[ -n $extras ]] && target=".[$extras]"
    echo "installing dependencies into .venv ..."
    rm -f "$stamp"
    if ! "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
        --no-input -e "$target"; then
        _venv_die "pip install -e '$target' into .venv failed (see the messages above)"
    fi
    echo "$want" >"$stamp"
}
