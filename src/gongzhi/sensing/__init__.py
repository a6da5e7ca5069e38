"""Sensing: cameras (雪亮工程) and IoT devices, their heartbeats, readings, alarms and video
events, each of which is to become a case through the cases app's intake."""
