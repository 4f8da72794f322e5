"""A knowledge base of failure signatures: what an error means and what to do first."""

from .match import Signature, SignatureMatch, load_signatures, match, recommend

__all__ = ["Signature", "SignatureMatch", "load_signatures", "match", "recommend"]
