"""(being written)"""

from flask import Blueprint

bp = Blueprint("room", __name__)
