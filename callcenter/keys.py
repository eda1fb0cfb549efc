"""Typed application keys: what the composition root puts in the aiohttp app."""

from __future__ import annotations

import asyncpg
from aiohttp import web

from callcenter.db.calls import CallStore
from callcenter.http.ws import Hub
from callcenter.services.agents import AgentStates
from callcenter.services.board import Board
from callcenter.services.calls import CallRegistry
from callcenter.services.live_state import LiveState
from callcenter.settings import Settings
from callcenter.telephony.ami import AmiClient

SETTINGS = web.AppKey("settings", Settings)
POOL = web.AppKey("pool", asyncpg.Pool)
AMI = web.AppKey("ami", AmiClient)
LIVE_STATE = web.AppKey("live_state", LiveState)
HUB = web.AppKey("hub", Hub)
CALL_STORE = web.AppKey("call_store", CallStore)
CALLS = web.AppKey("calls", CallRegistry)
AGENT_STATES = web.AppKey("agent_states", AgentStates)
BOARD = web.AppKey("board", Board)
