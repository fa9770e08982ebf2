import CSpawn
import CCurl
import CurlTransport
import Foundation

/// Runs HTTP probes' libcurl transfers on the `ProbePoller`'s thread through one multi handle
/// (`curl_multi_socket_action`): libcurl says which sockets to wait on and when to call it back,
/// the poller waits for all of them at once. Kept-alive connections stay in the multi handle's
/// cache, shared by every HTTP probe. Used on the poller's thread only.
final class PolledCurl {
    private let poller: ProbePoller
    private let multi: UnsafeMutableRawPointer
    private var timer: PollerTimers.Token?
    private var transfers: [UnsafeMutableRawPointer: (CURLcode) -> Void] = [:]

    init(poller: ProbePoller) {
        CurlRuntime.ensureInitialised()
        guard let multi = curl_multi_init() else { fatalError("faultline: curl_multi_init failed") }
        self.poller = poller
        self.multi = multi
        // Room for every probe's connection: the default cache (4 × the handles added at the
        // moment) would close kept-alive connections whenever few transfers are in flight.
        fl_curl_multi_set_long(multi, CURLMOPT_MAXCONNECTS, 100_000)
        fl_curl_multi_set_callbacks(multi, polledCurlSocketChanged, polledCurlTimerChanged, Unmanaged.passUnretained(self).toOpaque())
    }

    /// Runs the transfer set up on `connection` (`CurlConnection.prepare`); `completion` gets its
    /// result code on the poller's thread.
    func run(_ connection: CurlConnection, completion: @escaping (CURLcode) -> Void) {
        let easy = connection.easyHandle
        fl_curl_set_close_socket(easy, polledCurlCloseSocket, Unmanaged.passUnretained(self).toOpaque())
        transfers[easy] = completion
        let added = curl_multi_add_handle(multi, easy)
        if added != CURLM_OK {
            transfers[easy] = nil
            completion(CURLE_FAILED_INIT)
        }
    }

    fileprivate func socketChanged(_ descriptor: Int32, what: Int32) {
        switch what {
        // The connection stays open in the cache between transfers: kept registered, the next
        // transfer on it costs no epoll_ctl.
        case CURL_POLL_REMOVE: poller.park(descriptor)
        default:
            var events: UInt32 = 0
            if what & CURL_POLL_IN != 0 { events |= EPOLLIN.rawValue }
            if what & CURL_POLL_OUT != 0 { events |= EPOLLOUT.rawValue }
            poller.watch(descriptor, for: events) { [self] ready in
                var mask: Int32 = 0
                if ready & (EPOLLIN.rawValue | EPOLLHUP.rawValue) != 0 { mask |= CURL_CSELECT_IN }
                if ready & EPOLLOUT.rawValue != 0 { mask |= CURL_CSELECT_OUT }
                if ready & EPOLLERR.rawValue != 0 { mask |= CURL_CSELECT_ERR }
                act(on: descriptor, mask: mask)
            }
        }
    }

    fileprivate func forget(_ descriptor: Int32) { poller.forget(descriptor) }

    fileprivate func timerChanged(milliseconds: Int) {
        if let timer { poller.cancel(timer) }
        timer = nil
        guard milliseconds >= 0 else { return }
        timer = poller.after(.milliseconds(milliseconds)) { [self] in
            timer = nil
            act(on: CURL_SOCKET_TIMEOUT, mask: 0)
        }
    }

    private func act(on descriptor: Int32, mask: Int32) {
        var running: Int32 = 0
        _ = curl_multi_socket_action(multi, descriptor, mask, &running)
        var left: Int32 = 0
        while let message = curl_multi_info_read(multi, &left) {
            guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
            let code = fl_curl_message_result(message)
            curl_multi_remove_handle(multi, easy)
            transfers.removeValue(forKey: easy)?(code)
        }
    }
}

/// CURLMOPT_SOCKETFUNCTION: libcurl wants `socket` watched for `what` (or no longer).
private let polledCurlSocketChanged: curl_socket_callback = { _, socket, what, userdata, _ in
    guard let userdata else { return 0 }
    Unmanaged<PolledCurl>.fromOpaque(userdata).takeUnretainedValue().socketChanged(socket, what: what)
    return 0
}

/// CURLOPT_CLOSESOCKETFUNCTION: libcurl closes a connection's socket; the poller forgets it first.
private let polledCurlCloseSocket: curl_closesocket_callback = { userdata, socket in
    if let userdata { Unmanaged<PolledCurl>.fromOpaque(userdata).takeUnretainedValue().forget(socket) }
    return close(socket)
}

/// CURLMOPT_TIMERFUNCTION: libcurl wants to be called back after `milliseconds` (-1: never).
private let polledCurlTimerChanged: curl_multi_timer_callback = { _, milliseconds, userdata in
    guard let userdata else { return 0 }
    Unmanaged<PolledCurl>.fromOpaque(userdata).takeUnretainedValue().timerChanged(milliseconds: milliseconds)
    return 0
}
